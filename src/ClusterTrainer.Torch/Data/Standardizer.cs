namespace ClusterTrainer.Torch.Data;

/// <summary>How statistics are pooled when fitting a <see cref="Standardizer"/> or <see cref="MinMaxScaler"/>.</summary>
public enum StatisticsScope
{
    /// <summary>One statistic over every value (typical for grey-scale images).</summary>
    Global,
    /// <summary>One statistic per position of the last dimension (a feature column of a series or table).</summary>
    PerFeature,
}

/// <summary>
/// Standardisation x' = (x - mean) / std. Fit on the training set only, then apply the same
/// statistics to validation and test data so no information leaks from them.
/// </summary>
public sealed record Standardizer(float[] Mean, float[] Std)
{
    /// <summary>Fits mean and (population) standard deviation on a dataset's inputs.</summary>
    public static Standardizer Fit(TensorDataset train, StatisticsScope scope = StatisticsScope.Global) =>
        Fit(train.Inputs, scope == StatisticsScope.Global ? 1 : train.SampleShape[^1]);

    /// <summary>Fits on a flat array whose last dimension has <paramref name="features"/> entries
    /// (1 = one global statistic).</summary>
    public static Standardizer Fit(ReadOnlySpan<float> values, int features = 1)
    {
        if (features <= 0 || values.Length == 0 || values.Length % features != 0)
            throw new ArgumentException($"cannot fit statistics on {values.Length} values in rows of {features}.", nameof(values));
        var sum = new double[features];
        var sq = new double[features];
        for (int i = 0; i < values.Length; i++) { sum[i % features] += values[i]; }
        long rows = values.Length / features;
        var mean = new double[features];
        for (int f = 0; f < features; f++) mean[f] = sum[f] / rows;
        for (int i = 0; i < values.Length; i++) { double d = values[i] - mean[i % features]; sq[i % features] += d * d; }
        var std = new float[features];
        for (int f = 0; f < features; f++)
        {
            double s = Math.Sqrt(sq[f] / rows);
            std[f] = s < 1e-12 ? 1f : (float)s; // a constant feature is centred, not divided by zero
        }
        return new Standardizer(mean.Select(m => (float)m).ToArray(), std);
    }

    /// <summary>Standardises the dataset's inputs in place.</summary>
    public void Apply(TensorDataset data) => Apply(data.Inputs.AsSpan());

    /// <summary>Standardises values in place.</summary>
    public void Apply(Span<float> values)
    {
        int f = Mean.Length;
        if (values.Length % f != 0)
            throw new ArgumentException($"{values.Length} values are not whole rows of the {f} features this standardizer was fitted on.", nameof(values));
        if (f == 1)
        {
            float m = Mean[0], inv = 1f / Std[0];
            for (int i = 0; i < values.Length; i++) values[i] = (values[i] - m) * inv;
            return;
        }
        for (int i = 0; i < values.Length; i++) values[i] = (values[i] - Mean[i % f]) / Std[i % f];
    }

    /// <summary>Maps standardised values back to the original scale in place.</summary>
    public void Invert(Span<float> values)
    {
        int f = Mean.Length;
        for (int i = 0; i < values.Length; i++) values[i] = values[i] * Std[i % f] + Mean[i % f];
    }
}

/// <summary>Normalisation to [0, 1]: x' = (x - min) / (max - min), fitted on training data only.</summary>
public sealed record MinMaxScaler(float[] Min, float[] Max)
{
    public static MinMaxScaler Fit(ReadOnlySpan<float> values, int features = 1)
    {
        if (features <= 0 || values.Length == 0 || values.Length % features != 0)
            throw new ArgumentException($"cannot fit statistics on {values.Length} values in rows of {features}.", nameof(values));
        var min = Enumerable.Repeat(float.PositiveInfinity, features).ToArray();
        var max = Enumerable.Repeat(float.NegativeInfinity, features).ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            int f = i % features;
            min[f] = Math.Min(min[f], values[i]);
            max[f] = Math.Max(max[f], values[i]);
        }
        return new MinMaxScaler(min, max);
    }

    public void Apply(Span<float> values)
    {
        int n = Min.Length;
        for (int i = 0; i < values.Length; i++)
        {
            float range = Max[i % n] - Min[i % n];
            values[i] = range > 0 ? (values[i] - Min[i % n]) / range : 0f;
        }
    }

    public void Invert(Span<float> values)
    {
        int n = Min.Length;
        for (int i = 0; i < values.Length; i++) values[i] = values[i] * (Max[i % n] - Min[i % n]) + Min[i % n];
    }
}

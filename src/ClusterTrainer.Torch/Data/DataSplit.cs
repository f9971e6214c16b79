namespace ClusterTrainer.Torch.Data;

/// <summary>Deterministic train/validation splits.</summary>
public static class DataSplit
{
    /// <summary>
    /// Permutes 0..count-1 with <paramref name="seed"/> and cuts off round(count × fraction) indices for
    /// validation. Both lists come back sorted, so the split does not depend on later shuffling.
    /// </summary>
    public static (int[] Train, int[] Validation) Indices(int count, double validationFraction, ulong seed)
    {
        if (count < 2) throw new ArgumentOutOfRangeException(nameof(count), count, "need at least two samples to split");
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction,
                "the validation fraction must be strictly between 0 and 1 (e.g. 0.1 for 10%)");
        int nVal = Math.Clamp((int)Math.Round(count * validationFraction), 1, count - 1);
        var perm = Enumerable.Range(0, count).ToArray();
        DataRandom.For(seed, 0x5B117).Shuffle(perm);
        var val = perm[..nVal];
        var train = perm[nVal..];
        Array.Sort(val);
        Array.Sort(train);
        return (train, val);
    }

    /// <summary>Splits a dataset into copies holding the training and validation samples.</summary>
    public static (TensorDataset Train, TensorDataset Validation) TrainValidation(TensorDataset data, double validationFraction, ulong seed)
    {
        var (train, val) = Indices(data.Count, validationFraction, seed);
        return (data.Subset(train), data.Subset(val));
    }
}

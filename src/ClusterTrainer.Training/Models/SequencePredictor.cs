using ClusterTrainer.Torch;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Models;

/// <summary>Which recurrent cell a <see cref="SequencePredictor"/> uses.</summary>
public enum RecurrentCell { Lstm, Gru }

/// <summary>
/// One-step-ahead predictor for a series: an LSTM or GRU over a window [N, T, features] (batch first),
/// then Linear(hidden, 1) on the last time step's output. Output [N, 1].
/// </summary>
public sealed class SequencePredictor : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module lstm_or_gru;
    private readonly nn.Module<Tensor, Tensor> head;

    public RecurrentCell Cell { get; }

    public SequencePredictor(RecurrentCell cell = RecurrentCell.Lstm, int features = 1, int hidden = 32) : base(nameof(SequencePredictor))
    {
        Cell = cell;
        lstm_or_gru = cell == RecurrentCell.Lstm
            ? nn.LSTM(features, hidden, batch_first: true)
            : nn.GRU(features, hidden, batch_first: true);
        head = nn.Linear(hidden, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        Tensor output;
        if (lstm_or_gru is Torch.Modules.LSTM lstm)
        {
            var (o, (h, c)) = lstm.call(input);
            h.Dispose();
            c.Dispose();
            output = o;
        }
        else
        {
            var (o, h) = ((Torch.Modules.GRU)lstm_or_gru).call(input);
            h.Dispose();
            output = o;
        }
        using (output)
        {
            long steps = output.shape[1];
            using var last = output.select(1, steps - 1);
            return head.call(last);
        }
    }

    /// <summary>
    /// A noisy sine series the examples and tests learn from: x_t = sin(2π t / period) + N(0, noise²),
    /// from a fixed seed so runs are reproducible.
    /// </summary>
    public static float[] NoisySine(int steps, double period = 25, double noise = 0.05, ulong seed = 1)
    {
        var rng = new Torch.Data.DataRandom(seed);
        var x = new float[steps];
        for (int t = 0; t < steps; t++) x[t] = (float)(Math.Sin(2 * Math.PI * t / period) + noise * rng.NextGaussian());
        return x;
    }
}

using ClusterTrainer.Torch;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Distributed;

/// <summary>
/// Models built from torch's process-wide generator. Seeding and drawing happen under one lock, so that nodes
/// sharing one process (tests, local tools) cannot interleave their draws.
/// </summary>
public static class SeededModels
{
    private static readonly object GeneratorLock = new();

    /// <summary>Builds a model, drawing its initialisation under the generator lock.</summary>
    public static nn.Module<Tensor, Tensor> Create(Func<nn.Module<Tensor, Tensor>> factory)
    {
        lock (GeneratorLock) return factory();
    }

    /// <summary>The flat parameters of the model <paramref name="factory"/> builds right after <c>manual_seed(seed)</c>.</summary>
    public static float[] InitialParameters(Func<nn.Module<Tensor, Tensor>> factory, long seed)
    {
        lock (GeneratorLock)
        {
            manual_seed(seed);
            using var model = factory();
            using var flat = FlatParameters.Create(model);
            return flat.ValuesSpan.ToArray();
        }
    }
}

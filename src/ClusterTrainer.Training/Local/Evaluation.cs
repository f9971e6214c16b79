using ClusterTrainer.Torch;
using ClusterTrainer.Torch.Data;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Local;

/// <summary>Evaluation helpers shared by the trainers, examples and tests.</summary>
public static class Evaluation
{
    /// <summary>Top-1 accuracy of a classifier over every batch of <paramref name="loader"/> (eval mode, no grad);
    /// the module's train/eval mode is restored afterwards.</summary>
    public static double Accuracy(nn.Module<Tensor, Tensor> model, DataLoader loader)
    {
        bool wasTraining = model.training;
        model.eval();
        long correct = 0, total = 0;
        try
        {
            using var _ = no_grad();
            var plan = loader.Plan(0);
            for (int b = 0; b < plan.BatchCount; b++)
            {
                using var scope = NewDisposeScope();
                var (x, y) = loader.LoadBatch(plan, b);
                var predicted = model.call(x).argmax(1);
                correct += predicted.eq(y).sum().item<long>();
                total += y.shape[0];
            }
        }
        finally { model.train(wasTraining); }
        return (double)correct / total;
    }

    /// <summary>Copies every parameter and buffer into managed arrays (best-epoch snapshot).</summary>
    public static Dictionary<string, float[]> Snapshot(nn.Module model)
    {
        var copy = new Dictionary<string, float[]>();
        foreach (var (name, t) in model.state_dict())
            if (t.dtype == ScalarType.Float32)
            {
                using var dense = t.contiguous(); // a new handle even when t is already contiguous
                copy[name] = dense.ToArray<float>();
            }
        return copy;
    }

    /// <summary>Writes a <see cref="Snapshot"/> back into the module's tensors in place.</summary>
    public static void Restore(nn.Module model, Dictionary<string, float[]> snapshot)
    {
        using var _ = no_grad();
        foreach (var (name, t) in model.state_dict())
            if (snapshot.TryGetValue(name, out var values)) t.CopyFrom<float>(values);
    }
}

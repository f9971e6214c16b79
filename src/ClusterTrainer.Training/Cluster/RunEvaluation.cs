using ClusterTrainer.Torch;
using ClusterTrainer.Torch.Data;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Cluster;

/// <summary>Validation and test metrics of a flat parameter vector, computed on the coordinator's node.</summary>
public static class RunEvaluation
{
    public sealed record Metrics(double Loss, double Accuracy);

    /// <summary>Mean cross-entropy and top-1 accuracy of the plan's model with <paramref name="parameters"/> on <paramref name="data"/>.</summary>
    public static Metrics Evaluate(RunPlan plan, float[] parameters, TensorDataset data)
    {
        using var model = plan.CreateModel();
        using var flat = FlatParameters.Create(model);
        if (flat.Count != parameters.Length)
            throw new InvalidOperationException($"The model has {flat.Count} parameters but {parameters.Length} values were gathered from the shards.");
        parameters.AsSpan().CopyTo(flat.ValuesSpan);
        model.eval();
        using var _ = no_grad();
        var loader = new DataLoader(data, 1000);
        var batches = loader.Plan(0);
        double lossSum = 0;
        long correct = 0, total = 0;
        for (int b = 0; b < batches.BatchCount; b++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = loader.LoadBatch(batches, b);
            var output = model.call(x);
            lossSum += nn.functional.cross_entropy(output, y, reduction: nn.Reduction.Sum).item<float>();
            correct += output.argmax(1).eq(y).sum().item<long>();
            total += y.shape[0];
        }
        return total == 0 ? new Metrics(double.NaN, double.NaN) : new Metrics(lossSum / total, (double)correct / total);
    }
}

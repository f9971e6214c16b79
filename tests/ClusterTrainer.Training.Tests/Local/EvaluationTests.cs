using ClusterTrainer.Torch.Data;
using ClusterTrainer.Training.Local;
using ClusterTrainer.Training.Models;
using ClusterTrainer.Training.Tests.Models;
using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Tests.Local;

[Collection(GlobalGeneratorCollection.Name)]
public sealed class EvaluationTests
{
    [Fact]
    public void Restoring_a_snapshot_brings_back_the_snapshotted_outputs()
    {
        manual_seed(21);
        using var model = new XorMlp();
        using var x = randn([5, 2]);
        using var before = model.call(x);
        var snapshot = Evaluation.Snapshot(model);
        using (no_grad())
            foreach (var p in model.parameters()) p.add_(1.0);
        using var changed = model.call(x);
        Assert.NotEqual(before.ToArray<float>(), changed.ToArray<float>());
        Evaluation.Restore(model, snapshot);
        using var restored = model.call(x);
        Assert.Equal(before.ToArray<float>(), restored.ToArray<float>());
    }

    [Fact]
    public void Accuracy_counts_argmax_hits_and_keeps_the_training_mode()
    {
        // A model that ignores its input is right exactly on the samples of the class it always picks.
        manual_seed(22);
        using var model = new SeedCnn();
        var labels = Enumerable.Range(0, 40).Select(i => (long)(i % 10)).ToArray(); // 4 of each class
        var data = new TensorDataset(new float[40 * 784], [1, 28, 28], labels); // all-zero images: one prediction for all
        model.train();
        double accuracy = Evaluation.Accuracy(model, new DataLoader(data, 16));
        Assert.Equal(0.1, accuracy, precision: 6); // whichever class it picks, 4 of 40 labels match
        Assert.True(model.training);
    }
}

using ClusterTrainer.Torch.Data;

namespace ClusterTrainer.Training.Tests.Models;

/// <summary>Small Fashion-MNIST subsets shared by the model tests (loaded once per test run).</summary>
internal static class ZooFixtures
{
    private static readonly Lazy<TensorDataset> TrainSubset = new(() => FashionMnist.Load(MnistSplit.Train, limit: 3000));
    private static readonly Lazy<TensorDataset> TestSubset = new(() => FashionMnist.Load(MnistSplit.Test, limit: 1000));

    public static TensorDataset Train => TrainSubset.Value;
    public static TensorDataset Test => TestSubset.Value;
}

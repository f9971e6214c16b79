using ClusterTrainer.Torch.Data;
using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.Data;

public sealed class DataLoaderTests
{
    private static TensorDataset Images(int n)
    {
        var x = new float[n * 2 * 3];
        for (int i = 0; i < x.Length; i++) x[i] = i;
        return new TensorDataset(x, [1, 2, 3], Enumerable.Range(0, n).Select(i => (long)(i % 4)).ToArray());
    }

    [Fact]
    public void Batches_hold_the_planned_samples_in_order_with_batch_first_shapes()
    {
        var ds = Images(10);
        var loader = new DataLoader(ds, 4, shuffle: true, seed: 9);
        var plan = loader.Plan(2);
        int b = 0;
        foreach (var (x, y) in loader.Epoch(2))
        {
            using (x) using (y)
            {
                var idx = plan.Batch(b++).ToArray();
                Assert.Equal(new long[] { idx.Length, 1, 2, 3 }, x.shape);
                Assert.Equal(ScalarType.Int64, y.dtype);
                Assert.Equal(idx.SelectMany(i => ds.Input(i).ToArray()), x.ToArray<float>());
                Assert.Equal(idx.Select(i => ds.ClassLabels![i]), y.ToArray<long>());
            }
        }
        Assert.Equal(3, b); // 4 + 4 + 2
    }

    [Fact]
    public void Drop_last_and_sequential_order()
    {
        var loader = new DataLoader(Images(10), 4, dropLast: true);
        var batches = loader.Epoch(0).ToList();
        Assert.Equal(2, batches.Count);
        Assert.Equal(new long[] { 0, 1, 2, 3 }, batches[1].Target.ToArray<long>()); // samples 4..7, labels i % 4
        Assert.Equal(Images(10).Input(4).ToArray(), batches[1].Input.ToArray<float>()[..6]);
        foreach (var (x, y) in batches) { x.Dispose(); y.Dispose(); }
    }

    [Fact]
    public void Regression_targets_come_back_as_float_with_their_shape()
    {
        var series = CsvSeries.Windows(Enumerable.Range(0, 12).Select(i => (float)i).ToArray(), 1, window: 4);
        var (x, y) = new DataLoader(series, 3).Epoch(0).First();
        using (x) using (y)
        {
            Assert.Equal(new long[] { 3, 4, 1 }, x.shape);
            Assert.Equal(new long[] { 3, 1 }, y.shape);
            Assert.Equal([4f, 5f, 6f], y.ToArray<float>());
        }
    }

    [Fact]
    public void Worker_shards_of_a_batch_concatenate_to_the_whole_batch()
    {
        var loader = new DataLoader(Images(12), 6, shuffle: true, seed: 4);
        var plan = loader.Plan(1);
        var (whole, _) = loader.LoadBatch(plan, 1);
        var parts = Enumerable.Range(0, 3).Select(r => loader.LoadBatch(plan, 1, r, 3)).ToList();
        using (whole)
            Assert.Equal(whole.ToArray<float>(), parts.SelectMany(p => p.Input.ToArray<float>()));
        foreach (var (x, y) in parts) { x.Dispose(); y.Dispose(); }
    }

    [Fact]
    public void Augmentation_is_applied_to_loaded_batches_reproducibly()
    {
        var ds = Images(6);
        var aug = new ImageAugmentation(new RandomHorizontalFlip(1.0));
        var loader = new DataLoader(ds, 6, augmentation: aug);
        var (x, y) = loader.Epoch(0).Single();
        using (x) using (y)
        {
            var first = x.ToArray<float>()[..6];
            Assert.Equal([2f, 1f, 0f, 5f, 4f, 3f], first); // each row of the 2x3 image mirrored
        }
    }

    [Fact]
    public void Sampler_and_shuffle_together_are_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => new DataLoader(Images(4), 2, shuffle: true, sampler: SequentialSampler.Instance));
        Assert.Contains("not both", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(Images(4), 0));
    }

    [Fact]
    public void Oversampled_epochs_are_balanced_batches()
    {
        var labels = Enumerable.Repeat(0L, 30).Concat(Enumerable.Repeat(1L, 6)).ToArray();
        var ds = new TensorDataset(new float[36], [1], labels);
        var loader = new DataLoader(ds, 10, seed: 2, sampler: new ClassBalancedSampler(Rebalance.Oversample));
        long ones = 0, total = 0;
        foreach (var (x, y) in loader.Epoch(0))
            using (x) using (y)
            {
                ones += y.ToArray<long>().Sum();
                total += y.shape[0];
            }
        Assert.Equal(60, total);
        Assert.Equal(30, ones);
    }
}

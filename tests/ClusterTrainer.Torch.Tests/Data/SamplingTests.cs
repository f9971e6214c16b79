using ClusterTrainer.Torch.Data;
using Xunit;

namespace ClusterTrainer.Torch.Tests.Data;

public sealed class SamplingTests
{
    private static TensorDataset Labelled(params long[] labels) =>
        new(new float[labels.Length], [1], labels);

    [Fact]
    public void Epoch_plan_is_a_function_of_seed_and_epoch()
    {
        var ds = Labelled(new long[103]);
        var a = EpochPlan.Create(ds, 10, seed: 42, epoch: 3);
        var b = EpochPlan.Create(ds, 10, seed: 42, epoch: 3);
        var c = EpochPlan.Create(ds, 10, seed: 42, epoch: 4);
        Assert.Equal(a.Order.ToArray(), b.Order.ToArray());
        Assert.NotEqual(a.Order.ToArray(), c.Order.ToArray());
        Assert.Equal(Enumerable.Range(0, 103), a.Order.ToArray().Order());
        Assert.Equal(11, a.BatchCount);
        Assert.Equal(3, a.Batch(10).Length);
    }

    [Fact]
    public void Drop_last_removes_the_partial_batch()
    {
        var plan = EpochPlan.Create(Labelled(new long[103]), 10, 1, 0, dropLast: true);
        Assert.Equal(10, plan.BatchCount);
        Assert.Equal(100, plan.SampleCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => plan.Batch(10));
    }

    [Fact]
    public void Batch_shards_of_workers_concatenate_to_the_single_process_batch()
    {
        var plan = EpochPlan.Create(Labelled(new long[50]), 16, 9, 2);
        for (int b = 0; b < plan.BatchCount; b++)
        {
            var joined = Enumerable.Range(0, 3).SelectMany(r => plan.BatchShard(b, r, 3).ToArray());
            Assert.Equal(plan.Batch(b).ToArray(), joined);
        }
        Assert.Equal(6, plan.BatchShard(0, 0, 3).Length); // 16 = 6 + 5 + 5
        Assert.Equal(5, plan.BatchShard(0, 2, 3).Length);
    }

    [Fact]
    public void Round_robin_batches_are_disjoint_and_cover_the_epoch()
    {
        var plan = EpochPlan.Create(Labelled(new long[95]), 8, 3, 0);
        var owned = Enumerable.Range(0, 4).SelectMany(r => plan.BatchesFor(r, 4)).ToArray();
        Assert.Equal(Enumerable.Range(0, plan.BatchCount), owned.Order());
    }

    [Fact]
    public void Weighted_sampler_follows_weights_and_never_draws_zero_weight()
    {
        var ds = Labelled(0, 0, 0, 0);
        var s = new WeightedRandomSampler([1, 3, 0, 0], 20_000);
        var draws = s.EpochIndices(ds, 5, 0);
        Assert.DoesNotContain(2, draws);
        Assert.DoesNotContain(3, draws);
        double share1 = draws.Count(i => i == 1) / 20_000.0;
        Assert.InRange(share1, 0.72, 0.78);
        Assert.Equal(draws, s.EpochIndices(ds, 5, 0));
    }

    [Fact]
    public void Weighted_sampler_without_replacement_gives_distinct_indices()
    {
        var ds = Labelled(new long[10]);
        var draws = new WeightedRandomSampler(Enumerable.Repeat(1.0, 10).ToArray(), 10, replacement: false).EpochIndices(ds, 1, 0);
        Assert.Equal(Enumerable.Range(0, 10), draws.Order());
        Assert.Throws<ArgumentException>(() => new WeightedRandomSampler([1, 0], 2, replacement: false));
    }

    [Fact]
    public void Balanced_weights_even_out_a_skewed_dataset()
    {
        var labels = Enumerable.Repeat(0L, 900).Concat(Enumerable.Repeat(1L, 100)).ToArray();
        var ds = Labelled(labels);
        var draws = WeightedRandomSampler.BalancedClasses(ds, 20_000).EpochIndices(ds, 3, 0);
        double minority = draws.Count(i => labels[i] == 1) / 20_000.0;
        Assert.InRange(minority, 0.46, 0.54);
    }

    [Theory]
    [InlineData(Rebalance.Oversample, 90)]
    [InlineData(Rebalance.Undersample, 10)]
    public void Class_balanced_sampler_gives_equal_class_counts(Rebalance mode, int perClass)
    {
        var labels = Enumerable.Repeat(0L, 90).Concat(Enumerable.Repeat(1L, 10)).ToArray();
        var ds = Labelled(labels);
        var order = new ClassBalancedSampler(mode).EpochIndices(ds, 11, 0);
        Assert.Equal(perClass, order.Count(i => labels[i] == 0));
        Assert.Equal(perClass, order.Count(i => labels[i] == 1));
        if (mode == Rebalance.Oversample) Assert.Equal(100, order.Distinct().Count()); // every original sample is kept
        else Assert.Equal(20, order.Distinct().Count());
    }

    [Fact]
    public void Random_streams_are_reproducible_and_uniform_enough()
    {
        var a = DataRandom.For(1, 2, 3);
        var b = DataRandom.For(1, 2, 3);
        var c = DataRandom.For(1, 2, 4);
        Assert.Equal(a.NextUInt64(), b.NextUInt64());
        Assert.NotEqual(b.NextUInt64(), c.NextUInt64());
        var counts = new int[4];
        for (int i = 0; i < 40_000; i++) counts[a.NextInt(4)]++;
        Assert.All(counts, n => Assert.InRange(n, 9_500, 10_500));
    }
}

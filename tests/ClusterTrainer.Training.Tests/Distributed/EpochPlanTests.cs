using ClusterTrainer.Training.Distributed.Worker;
using Xunit;

namespace ClusterTrainer.Training.Tests.Distributed;

public sealed class EpochPlanTests
{
    [Theory]
    [InlineData(100, 3, 4)]
    [InlineData(10, 3, 4)]
    [InlineData(2, 3, 1)]
    [InlineData(36, 3, 4)]
    public void Workers_get_disjoint_parts_that_cover_the_epoch_and_rebuild_each_global_batch(int n, int workers, int b)
    {
        var plan = new EpochPlan(n, workers, b, seed: 7, epoch: 1);
        var seen = new HashSet<int>();
        for (int step = 0; step < plan.StepsPerEpoch; step++)
        {
            var rebuilt = new List<int>();
            var sizes = new List<int>();
            for (int w = 0; w < workers; w++)
            {
                var part = plan.WorkerBatch(step, w).ToArray();
                sizes.Add(part.Length);
                rebuilt.AddRange(part);
                foreach (var i in part) Assert.True(seen.Add(i), $"sample {i} given twice in one epoch");
            }
            Assert.Equal(plan.GlobalBatchAt(step).ToArray(), rebuilt);
            Assert.True(sizes.Max() - sizes.Min() <= 1, $"step {step}: uneven split {string.Join("/", sizes)}");
            Assert.True(sizes.Max() <= b);
        }
        Assert.Equal(n, seen.Count);
        Assert.Equal((n + workers * b - 1) / (workers * b), plan.StepsPerEpoch);
    }

    [Fact]
    public void The_order_depends_only_on_seed_and_epoch()
    {
        var a = new EpochPlan(50, 2, 5, seed: 42, epoch: 3).Order.ToArray();
        Assert.Equal(a, new EpochPlan(50, 2, 5, seed: 42, epoch: 3).Order.ToArray());
        Assert.Equal(a, new EpochPlan(50, 5, 1, seed: 42, epoch: 3).Order.ToArray()); // same shuffle whatever the sizes
        Assert.NotEqual(a, new EpochPlan(50, 2, 5, seed: 42, epoch: 4).Order.ToArray());
        Assert.NotEqual(a, new EpochPlan(50, 2, 5, seed: 43, epoch: 3).Order.ToArray());
        Assert.Equal(Enumerable.Range(0, 50), a.Order());
    }

    [Fact]
    public void Bad_arguments_say_what_is_wrong()
    {
        Assert.Contains("at least one worker", Assert.Throws<ArgumentOutOfRangeException>(() => new EpochPlan(10, 0, 1, 1, 0)).Message);
        var plan = new EpochPlan(10, 2, 2, 1, 0);
        Assert.Contains("steps 0..2", Assert.Throws<ArgumentOutOfRangeException>(() => plan.WorkerBatch(3, 0)).Message);
        Assert.Contains("0..1", Assert.Throws<ArgumentOutOfRangeException>(() => plan.WorkerBatch(0, 2)).Message);
    }
}

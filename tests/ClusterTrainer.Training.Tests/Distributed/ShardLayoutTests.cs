using ClusterTrainer.Training.Distributed.ParameterServer;
using Xunit;

namespace ClusterTrainer.Training.Tests.Distributed;

public sealed class ShardLayoutTests
{
    [Theory]
    [InlineData(10, 3, 4)]
    [InlineData(10, 10, 1)]
    [InlineData(10, 100, 1)]
    [InlineData(1001, 100, 11)]
    public void Shards_are_contiguous_bounded_and_cover_the_vector(long p, long max, int expectedShards)
    {
        var layout = new ShardLayout(p, max);
        Assert.Equal(expectedShards, layout.Count);
        long next = 0;
        for (int i = 0; i < layout.Count; i++)
        {
            var s = layout.Shards[i];
            Assert.Equal(i, s.Index);
            Assert.Equal(next, s.Offset);
            Assert.InRange(s.Length, 1, max);
            next = s.End;
        }
        Assert.Equal(p, next);
        long min = layout.Shards.Min(s => s.Length), maxLen = layout.Shards.Max(s => s.Length);
        Assert.True(maxLen - min <= 1, $"lengths should be even, got {min}..{maxLen}");
    }

    [Fact]
    public void Layout_is_deterministic_and_finds_the_owner_of_an_element()
    {
        var a = new ShardLayout(1000, 300);
        var b = new ShardLayout(1000, 300);
        Assert.Equal(a.Shards, b.Shards);
        foreach (long e in new long[] { 0, 249, 250, 999 })
        {
            var s = a.ShardOf(e);
            Assert.True(s.Offset <= e && e < s.End);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => a.ShardOf(1000));
    }

    [Fact]
    public void Bad_sizes_are_refused_with_a_reason()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ShardLayout(0, 10));
        Assert.Contains("positive parameter count", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShardLayout(10, 0));
    }
}

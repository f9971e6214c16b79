using ClusterTrainer.Actors;
using ClusterTrainer.Node.Control;
using Xunit;

namespace ClusterTrainer.Node.Tests.Control;

public sealed class NodeLogTests
{
    private static LogEvent Entry(int i, LogLevel level = LogLevel.Info) =>
        new(level, FakeControlPlane.T0.AddSeconds(i), "test", $"entry {i}", null);

    [Fact]
    public void Tail_gives_the_last_n_oldest_first_and_the_ring_keeps_only_capacity()
    {
        var log = new NodeLog(null, capacity: 5);
        Assert.Empty(log.Tail(3));
        for (var i = 1; i <= 3; i++) log.Write(Entry(i));
        Assert.Equal(["entry 2", "entry 3"], log.Tail(2).Select(e => e.Message));
        Assert.Equal(["entry 1", "entry 2", "entry 3"], log.Tail(10).Select(e => e.Message));
        for (var i = 4; i <= 12; i++) log.Write(Entry(i));
        Assert.Equal(["entry 8", "entry 9", "entry 10", "entry 11", "entry 12"], log.Tail(100).Select(e => e.Message));
        Assert.Equal(["entry 12"], log.Tail(1).Select(e => e.Message));
    }

    [Fact]
    public void Tail_of_less_than_one_line_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new NodeLog(null).Tail(0));
    }

    [Fact]
    public void Every_entry_is_echoed_one_line_each()
    {
        var echo = new StringWriter();
        var log = new NodeLog(echo);
        log.Write(Entry(1, LogLevel.Warning));
        log.Write(Entry(2));
        Assert.Equal([Entry(1, LogLevel.Warning).ToString(), Entry(2).ToString()], echo.ToString().TrimEnd().Split(Environment.NewLine));
    }

    [Fact]
    public async Task A_follower_gets_entries_written_after_it_attached()
    {
        var log = new NodeLog(null);
        log.Write(Entry(0));
        using var cts = new CancellationTokenSource(ControlHarness.Patience);
        var followed = log.FollowAsync(cts.Token);
        Assert.Equal(1, log.Followers); // attached at the call, before the first read
        for (var i = 1; i <= 3; i++) log.Write(Entry(i));
        var got = new List<string>();
        await foreach (var e in followed)
        {
            got.Add(e.Message);
            if (got.Count == 3) break;
        }
        Assert.Equal(["entry 1", "entry 2", "entry 3"], got);
        Assert.Equal(0, log.Followers); // leaving the loop detaches
    }

    [Fact]
    public async Task A_slow_follower_loses_entries_without_blocking_the_writer_and_is_told_where_and_how_many()
    {
        var log = new NodeLog(null, followerQueue: 2);
        using var cts = new CancellationTokenSource(ControlHarness.Patience);
        await using var follower = log.FollowAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        for (var i = 1; i <= 6; i++) log.Write(Entry(i)); // returns at once although nobody reads: 1, 2 queued, 3..6 dropped
        Assert.Equal(6, log.Tail(10).Count);              // the ring still has them all

        var got = new List<string>();
        for (var i = 0; i < 2; i++) { Assert.True(await follower.MoveNextAsync()); got.Add(follower.Current.Message); }
        log.Write(Entry(7));
        for (var i = 0; i < 2; i++) { Assert.True(await follower.MoveNextAsync()); got.Add($"{follower.Current.Source}: {follower.Current.Message}"); }
        Assert.Equal(["entry 1", "entry 2", "node-log: 4 log entries dropped here: this follower read too slowly", "test: entry 7"], got);
    }

    [Fact]
    public async Task Cancelling_detaches_the_follower_even_if_it_never_read()
    {
        var log = new NodeLog(null);
        using var cts = new CancellationTokenSource();
        _ = log.FollowAsync(cts.Token);
        _ = log.FollowAsync(cts.Token);
        Assert.Equal(2, log.Followers);
        await cts.CancelAsync();
        Assert.Equal(0, log.Followers);
        log.Write(Entry(1)); // nobody to offer to; still fine
    }

    [Fact]
    public async Task Many_writers_at_once_keep_every_entry_in_the_ring()
    {
        var log = new NodeLog(null, capacity: 4000);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++) log.Write(Entry(w * 1000 + i));
        })));
        Assert.Equal(4000, log.Tail(4000).Select(e => e.Message).Distinct().Count());
    }
}

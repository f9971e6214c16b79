using System.Text;
using ClusterTrainer.Actors.Persistence;
using Xunit;

namespace ClusterTrainer.Persistence.Sql.Tests.Contract;

/// <summary>
/// The journal contract (after Akka.Persistence.TCK's JournalSpec). Every journal runs it through a
/// subclass that supplies a fresh, isolated store. xunit makes a new instance per test.
/// </summary>
public abstract class JournalContract : IAsyncLifetime
{
    private IJournal? journal;

    protected IJournal Journal => journal ?? throw new InvalidOperationException("journal not created");

    /// <summary>A fresh journal over empty storage.</summary>
    protected abstract Task<IJournal> CreateJournalAsync();

    /// <summary>Another journal instance over the SAME storage (its own connections), as a second node would have.</summary>
    protected abstract Task<IJournal> OpenSecondInstanceAsync();

    public async Task InitializeAsync() => journal = await CreateJournalAsync();

    public virtual Task DisposeAsync() => journal is IAsyncDisposable d ? d.DisposeAsync().AsTask() : Task.CompletedTask;

    [Fact]
    public async Task Replay_returns_every_field_as_written()
    {
        var written = Repr("p-1", 1, "first") with { Tags = ["epoch", "run-7"] };
        await Journal.WriteAsync([written]);

        var replayed = Assert.Single(await ReplayAll("p-1"));
        Assert.Equal(written.PersistenceId, replayed.PersistenceId);
        Assert.Equal(1, replayed.SequenceNr);
        Assert.Equal(written.Manifest, replayed.Manifest);
        Assert.Equal(written.Payload, replayed.Payload);
        Assert.Equal(written.WriterUuid, replayed.WriterUuid);
        Assert.Equal(written.TimestampMs, replayed.TimestampMs);
        Assert.Equal(new[] { "epoch", "run-7" }, replayed.Tags);
    }

    [Fact]
    public async Task Replay_honours_from_to_and_max()
    {
        await WriteEvents("p-1", 1, 5);

        Assert.Equal(new long[] { 1L, 2, 3, 4, 5 }, Seqs(await Replay("p-1", 1, long.MaxValue, long.MaxValue)));
        Assert.Equal(new long[] { 2L, 3, 4 }, Seqs(await Replay("p-1", 2, 4, long.MaxValue)));
        Assert.Equal(new long[] { 2L, 3 }, Seqs(await Replay("p-1", 2, 5, 2)));
        Assert.Equal(new long[] { 5L }, Seqs(await Replay("p-1", 5, 5, 1)));
        Assert.Empty(await Replay("p-1", 6, long.MaxValue, long.MaxValue));
        Assert.Empty(await Replay("p-1", 1, 5, 0));
        Assert.Empty(await Replay("p-1", 4, 3, long.MaxValue));
    }

    [Fact]
    public async Task Replay_is_in_sequence_order_whatever_the_batch_sizes()
    {
        var next = 1L;
        foreach (var size in new[] { 1, 7, 2, 13, 1, 26 })
        {
            await Journal.WriteAsync(Enumerable.Range(0, size).Select(i => Repr("p-1", next + i, $"e{next + i}")).ToArray());
            next += size;
        }

        var replayed = await ReplayAll("p-1");
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), Seqs(replayed));
        Assert.Equal(Enumerable.Range(1, 50).Select(i => $"e{i}"), replayed.Select(r => Encoding.UTF8.GetString(r.Payload)));
    }

    [Fact]
    public async Task Highest_sequence_number_is_zero_for_an_unknown_id_and_tracks_writes()
    {
        Assert.Equal(0, await Journal.ReadHighestSequenceNrAsync("nobody"));
        await WriteEvents("p-1", 1, 3);
        Assert.Equal(3, await Journal.ReadHighestSequenceNrAsync("p-1"));
        await WriteEvents("p-1", 4, 2);
        Assert.Equal(5, await Journal.ReadHighestSequenceNrAsync("p-1"));
    }

    [Fact]
    public async Task Delete_to_hides_events_but_keeps_the_highest_sequence_number()
    {
        await WriteEvents("p-1", 1, 5);

        await Journal.DeleteMessagesToAsync("p-1", 3);
        Assert.Equal(new long[] { 4L, 5 }, Seqs(await ReplayAll("p-1")));
        Assert.Equal(5, await Journal.ReadHighestSequenceNrAsync("p-1"));

        await Journal.DeleteMessagesToAsync("p-1", 5);
        Assert.Empty(await ReplayAll("p-1"));
        Assert.Equal(5, await Journal.ReadHighestSequenceNrAsync("p-1"));

        // Numbering never restarts: the deleted numbers stay taken, the next write carries on.
        await Assert.ThrowsAsync<JournalWriteConflictException>(() => Journal.WriteAsync([Repr("p-1", 5, "again")]));
        await Assert.ThrowsAsync<JournalWriteConflictException>(() => Journal.WriteAsync([Repr("p-1", 1, "restart")]));
        await Journal.WriteAsync([Repr("p-1", 6, "six")]);
        Assert.Equal(new long[] { 6L }, Seqs(await ReplayAll("p-1")));
    }

    [Fact]
    public async Task Delete_past_the_highest_deletes_up_to_it_and_later_events_survive()
    {
        await WriteEvents("p-1", 1, 3);
        await Journal.DeleteMessagesToAsync("p-1", 1_000);
        Assert.Equal(3, await Journal.ReadHighestSequenceNrAsync("p-1"));
        await WriteEvents("p-1", 4, 2);
        Assert.Equal(new long[] { 4L, 5 }, Seqs(await ReplayAll("p-1")));
        await Journal.DeleteMessagesToAsync("unknown-id", 10);
        Assert.Equal(0, await Journal.ReadHighestSequenceNrAsync("unknown-id"));
    }

    [Fact]
    public async Task A_batch_with_a_taken_sequence_number_writes_nothing()
    {
        await WriteEvents("p-1", 1, 3);

        var conflict = await Assert.ThrowsAsync<JournalWriteConflictException>(
            () => Journal.WriteAsync([Repr("p-1", 3, "x"), Repr("p-1", 4, "y"), Repr("p-1", 5, "z")]));

        Assert.Equal("p-1", conflict.PersistenceId);
        Assert.Equal(3, conflict.SequenceNr);
        Assert.Contains("'p-1'", conflict.Message);
        Assert.Contains("3", conflict.Message);
        Assert.Equal(3, await Journal.ReadHighestSequenceNrAsync("p-1"));
        Assert.Equal(new[] { "e1", "e2", "e3" }, (await ReplayAll("p-1")).Select(r => Encoding.UTF8.GetString(r.Payload)));
    }

    [Fact]
    public async Task A_batch_is_written_whole()
    {
        await Journal.WriteAsync(Enumerable.Range(1, 20).Select(i => Repr("p-1", i, $"e{i}")).ToArray());
        Assert.Equal(20, (await ReplayAll("p-1")).Count);
        Assert.Equal(20, await Journal.ReadHighestSequenceNrAsync("p-1"));
    }

    [Fact]
    public async Task Concurrent_writers_at_the_same_sequence_number_exactly_one_wins()
    {
        var second = await OpenSecondInstanceAsync();
        try
        {
            for (var round = 0; round < 5; round++)
            {
                var pid = $"contended-{round}";
                var writers = Enumerable.Range(0, 6).Select(w =>
                {
                    var journalForWriter = w % 2 == 0 ? Journal : second;
                    var batch = Enumerable.Range(1, 3).Select(i => Repr(pid, i, $"w{w}-e{i}") with { WriterUuid = $"writer-{w}" }).ToArray();
                    return Task.Run(() => journalForWriter.WriteAsync(batch));
                }).ToArray();

                var outcomes = await Task.WhenAll(writers.Select(async t =>
                {
                    try
                    {
                        await t;
                        return (Exception?)null;
                    }
                    catch (Exception ex)
                    {
                        return ex;
                    }
                }));

                Assert.Equal(1, outcomes.Count(o => o is null));
                Assert.All(outcomes.Where(o => o is not null), o =>
                {
                    var conflict = Assert.IsType<JournalWriteConflictException>(o);
                    Assert.Equal(pid, conflict.PersistenceId);
                    Assert.Equal(1, conflict.SequenceNr);
                });
                var replayed = await ReplayAll(pid);
                Assert.Equal(new long[] { 1L, 2, 3 }, Seqs(replayed));
                Assert.Single(replayed.Select(r => r.WriterUuid).Distinct());
            }
        }
        finally
        {
            if (!ReferenceEquals(second, Journal) && second is IAsyncDisposable d)
            {
                await d.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_second_instance_sees_what_the_first_wrote_and_continues_the_numbering()
    {
        await WriteEvents("p-1", 1, 4);
        var second = await OpenSecondInstanceAsync();
        try
        {
            Assert.Equal(4, await second.ReadHighestSequenceNrAsync("p-1"));
            await Assert.ThrowsAsync<JournalWriteConflictException>(() => second.WriteAsync([Repr("p-1", 4, "dup")]));
            await second.WriteAsync([Repr("p-1", 5, "e5")]);
            Assert.Equal(new long[] { 1L, 2, 3, 4, 5 }, Seqs(await ReplayAll("p-1")));
        }
        finally
        {
            if (!ReferenceEquals(second, Journal) && second is IAsyncDisposable d)
            {
                await d.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Large_payloads_round_trip_byte_for_byte()
    {
        var random = new Random(42);
        var payloads = Enumerable.Range(0, 3).Select(_ =>
        {
            var bytes = new byte[1 << 20];
            random.NextBytes(bytes);
            return bytes;
        }).ToArray();

        await Journal.WriteAsync(payloads.Select((p, i) => Repr("big", i + 1, "x") with { Payload = p }).ToArray());

        var replayed = await ReplayAll("big");
        Assert.Equal(3, replayed.Count);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(payloads[i].AsSpan().SequenceEqual(replayed[i].Payload), $"payload {i} (1 MiB) differs after replay");
        }
    }

    [Fact]
    public async Task Persistence_ids_are_isolated()
    {
        await WriteEvents("a", 1, 3);
        await WriteEvents("a-1", 1, 2);
        await WriteEvents("A", 1, 1);

        await Journal.DeleteMessagesToAsync("a", 3);

        Assert.Empty(await ReplayAll("a"));
        Assert.Equal(new long[] { 1L, 2 }, Seqs(await ReplayAll("a-1")));
        Assert.All(await ReplayAll("a-1"), r => Assert.Equal("a-1", r.PersistenceId));
        Assert.Equal(2, await Journal.ReadHighestSequenceNrAsync("a-1"));
        Assert.Equal(1, await Journal.ReadHighestSequenceNrAsync("A"));
        await Journal.WriteAsync([Repr("a-1", 3, "e3")]);
        Assert.Equal(3, await Journal.ReadHighestSequenceNrAsync("a"));
    }

    [Fact]
    public async Task Malformed_batches_are_refused_with_a_clear_reason_and_write_nothing()
    {
        var empty = await Assert.ThrowsAsync<ArgumentException>(() => Journal.WriteAsync(Array.Empty<PersistentRepr>()));
        Assert.Contains("empty", empty.Message);
        var mixed = await Assert.ThrowsAsync<ArgumentException>(() => Journal.WriteAsync([Repr("a", 1, "x"), Repr("b", 2, "y")]));
        Assert.Contains("one persistence id", mixed.Message);
        var gap = await Assert.ThrowsAsync<ArgumentException>(() => Journal.WriteAsync([Repr("a", 1, "x"), Repr("a", 3, "y")]));
        Assert.Contains("contiguous", gap.Message);
        var zero = await Assert.ThrowsAsync<ArgumentException>(() => Journal.WriteAsync([Repr("a", 0, "x")]));
        Assert.Contains("start at 1", zero.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => Journal.WriteAsync([Repr("", 1, "x")]));
        Assert.Equal(0, await Journal.ReadHighestSequenceNrAsync("a"));
    }

    protected static PersistentRepr Repr(string pid, long seq, string text) =>
        new(pid, seq, "test.event", Encoding.UTF8.GetBytes(text), "writer-1",
            DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000 + seq), Array.Empty<string>());

    protected async Task WriteEvents(string pid, long from, int count)
    {
        for (var seq = from; seq < from + count; seq++)
        {
            await Journal.WriteAsync([Repr(pid, seq, $"e{seq}")]);
        }
    }

    protected Task<List<PersistentRepr>> ReplayAll(string pid) => Replay(pid, 1, long.MaxValue, long.MaxValue);

    protected async Task<List<PersistentRepr>> Replay(string pid, long from, long to, long max)
    {
        var result = new List<PersistentRepr>();
        await foreach (var repr in Journal.ReplayAsync(pid, from, to, max))
        {
            result.Add(repr);
        }

        return result;
    }

    private static long[] Seqs(IEnumerable<PersistentRepr> reprs) => reprs.Select(r => r.SequenceNr).ToArray();
}

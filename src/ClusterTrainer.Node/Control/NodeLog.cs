using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ClusterTrainer.Actors;
using ClusterTrainer.Training.Control;

namespace ClusterTrainer.Node.Control;

/// <summary>
/// The node's log: the actor system's <see cref="ILogSink"/>, echoing every entry to standard error, keeping the
/// last <see cref="Capacity"/> entries in a ring for <c>/api/log?tail=N</c>, and fanning new entries out to followers.
/// A writer never waits for a reader: each follower has a bounded queue, and a follower too slow to keep up loses
/// entries and finds a Warning entry saying how many where they were lost.
/// </summary>
public sealed class NodeLog : INodeLog
{
    public const int DefaultCapacity = 5000;
    public const int DefaultFollowerQueue = 1024;

    private readonly object _lock = new();
    private readonly LogEvent[] _ring;
    private readonly TextWriter? _echo;
    private readonly int _followerQueue;
    private int _next;   // where the next entry goes
    private int _count;  // entries held, at most _ring.Length
    private Follower[] _followers = [];

    /// <param name="echo">Where every entry is also written, one <see cref="LogEvent.ToString"/> per entry; null for nowhere.</param>
    public NodeLog(TextWriter? echo, int capacity = DefaultCapacity, int followerQueue = DefaultFollowerQueue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(followerQueue, 1);
        _ring = new LogEvent[capacity];
        _echo = echo;
        _followerQueue = followerQueue;
    }

    /// <summary>A log that echoes to standard error.</summary>
    public NodeLog() : this(Console.Error) { }

    public int Capacity => _ring.Length;

    /// <summary>How many followers are attached now.</summary>
    public int Followers => Volatile.Read(ref _followers).Length;

    public void Write(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        lock (_lock)
        {
            _ring[_next] = logEvent;
            _next = (_next + 1) % _ring.Length;
            if (_count < _ring.Length) _count++;
        }
        foreach (var follower in Volatile.Read(ref _followers)) follower.Offer(logEvent);
        try { _echo?.WriteLine(logEvent.ToString()); }
        catch (IOException) { /* a closed stderr must not take the node down */ }
        catch (ObjectDisposedException) { }
    }

    /// <summary>The last <paramref name="lines"/> entries (fewer when fewer are held), oldest first.</summary>
    public IReadOnlyList<LogEvent> Tail(int lines)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lines, 1);
        lock (_lock)
        {
            var n = Math.Min(lines, _count);
            var tail = new LogEvent[n];
            var start = (_next - n + _ring.Length) % _ring.Length;
            for (var i = 0; i < n; i++) tail[i] = _ring[(start + i) % _ring.Length];
            return tail;
        }
    }

    /// <summary>
    /// Entries written from this call on (the follower is attached now, not at the first MoveNextAsync) until
    /// <paramref name="ct"/> is cancelled. When entries were dropped because this follower lagged, a Warning entry
    /// from source "node-log" stands in their place and says how many.
    /// </summary>
    public IAsyncEnumerable<LogEvent> FollowAsync(CancellationToken ct)
    {
        var follower = new Follower(_followerQueue);
        lock (_lock) _followers = [.. _followers, follower];
        var registration = ct.Register(() => Detach(follower));
        return Read(follower, registration, ct);
    }

    private async IAsyncEnumerable<LogEvent> Read(Follower follower, CancellationTokenRegistration registration, [EnumeratorCancellation] CancellationToken ct)
    {
        try
        {
            while (await follower.Queue.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                while (follower.Queue.Reader.TryRead(out var item))
                {
                    if (item.DroppedBefore > 0)
                        yield return new LogEvent(Actors.LogLevel.Warning, item.Entry.Timestamp, "node-log",
                            $"{item.DroppedBefore} log entries dropped here: this follower read too slowly", null);
                    yield return item.Entry;
                }
            }
        }
        finally
        {
            await registration.DisposeAsync().ConfigureAwait(false);
            Detach(follower);
        }
    }

    private void Detach(Follower follower)
    {
        lock (_lock) _followers = Array.FindAll(_followers, f => f != follower);
        follower.Queue.Writer.TryComplete();
    }

    private readonly record struct Queued(LogEvent Entry, int DroppedBefore);

    private sealed class Follower(int capacity)
    {
        private readonly object _gate = new();
        private int _dropped; // entries refused since the last one queued

        public readonly Channel<Queued> Queue = Channel.CreateBounded<Queued>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // only TryWrite is used: a full queue refuses at once
        });

        /// <summary>Queues the entry, or counts it as dropped when the queue is full; the next entry queued carries the count.</summary>
        public void Offer(LogEvent entry)
        {
            lock (_gate)
            {
                if (Queue.Writer.TryWrite(new Queued(entry, _dropped))) _dropped = 0;
                else _dropped++;
            }
        }
    }
}

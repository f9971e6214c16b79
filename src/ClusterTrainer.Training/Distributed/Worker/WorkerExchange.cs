using ClusterTrainer.Actors;
using ClusterTrainer.Training.Distributed.Compression;
using ClusterTrainer.Training.Distributed.ParameterServer;

namespace ClusterTrainer.Training.Distributed.Worker;

/// <summary>
/// The parameter-server side of a worker's step, shared by the fixed-placement <see cref="WorkerActor"/> and the
/// cluster's <c>RunWorker</c>: pull every shard's slice, take the slices into the flat parameter buffer as they
/// arrive, and push every shard's part of the flat gradient buffer.
/// <code>
///   Pull(t) --Take(slice) for every shard--> true with the lowest version --> caller computes --> Push(t) --> Pull(t+1)
/// </code>
/// Uncompressed pushes borrow the flat gradient buffer (<see cref="BorrowedFloats"/>, no copy): the buffer is not
/// written again before every shard answered this worker's next pull, which each shard does only after taking the
/// push. Call from the owning actor's mailbox only.
/// </summary>
public sealed class WorkerExchange(string worker, WorkerStep step, IReadOnlyList<(ShardSpec Spec, IActorRef Ref)> shards)
{
    private int _awaiting;
    private long _minVersion;

    public IReadOnlyList<(ShardSpec Spec, IActorRef Ref)> Shards { get; } = shards;

    /// <summary>Asks every shard for its slice at <paramref name="step"/>.</summary>
    public void Pull(long step, IActorRef self)
    {
        _awaiting = Shards.Count;
        _minVersion = long.MaxValue;
        foreach (var (spec, shard) in Shards) shard.Tell(new PullParameters(spec.Index, worker, step), self);
    }

    /// <summary>
    /// Takes one pulled slice into the flat parameter buffer (an empty slice of a non-empty shard means "unchanged
    /// since your last pull"); true once the pull's last slice arrived, with the lowest version among them.
    /// </summary>
    public bool Take(ParameterSlice slice, out long minVersion)
    {
        var spec = Shards[slice.Shard].Spec;
        using (var payload = slice.Values)
            if (payload.Data.Length > 0 || spec.Length == 0) step.Load(spec, payload.AsFloats());
        _minVersion = Math.Min(_minVersion, slice.Version);
        minVersion = _minVersion;
        return --_awaiting == 0;
    }

    /// <summary>Pushes every shard's part of the flat gradient for <paramref name="stepIndex"/>, <paramref name="repeats"/> times each.</summary>
    public void Push(long stepIndex, int samples, GradientCompression compression, IActorRef self, int repeats = 1)
    {
        foreach (var (spec, shard) in Shards)
        {
            string name = DataPlane.PushName(spec.Index, stepIndex, samples, worker);
            for (int r = 0; r < repeats; r++)
                shard.Tell(compression == GradientCompression.None
                    ? BorrowedFloats.Gradients(name, stepIndex, step.Flat, spec.Offset, (int)spec.Length)
                    : GradientCodec.Encode(name, stepIndex, step.GradientOf(spec), compression), self);
        }
    }
}

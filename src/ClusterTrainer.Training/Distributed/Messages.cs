using ClusterTrainer.Actors.Serialization;
using ClusterTrainer.Training.Distributed.ParameterServer;

namespace ClusterTrainer.Training.Distributed;

// Data plane: tensors travel as TensorPayload (raw little-endian float32 next to a small header), the type
// remoting sends in tensor frames, so these messages go over the wire unchanged.

/// <summary>Worker → shard: the gradient slice of <paramref name="Step"/>, a mean over <paramref name="Samples"/> samples.</summary>
public sealed record PushGradient(int Shard, string Worker, long Step, int Samples, TensorPayload Gradient);

/// <summary>
/// Worker → shard: send me your slice once I may compute <paramref name="Step"/> (sync/backup: version
/// &gt;= Step is published; bounded: within the staleness bound; async: at once).
/// </summary>
public sealed record PullParameters(int Shard, string Worker, long Step);

/// <summary>Shard → worker: the slice at <paramref name="Version"/>. The receiver disposes the payload.</summary>
public sealed record ParameterSlice(int Shard, long Version, TensorPayload Values);

// Control plane.

/// <summary>Coordinator → shards: a worker left the run (stopped or died).</summary>
public sealed record WorkerLeft(string Worker);

/// <summary>Coordinator → shards: a worker joined the run.</summary>
public sealed record WorkerJoined(string Worker);

/// <summary>Coordinator → shards: use this learning rate from the next step on (LR schedule).</summary>
public sealed record SetLearningRate(double Lr);

/// <summary>Ask a shard for its counters; it answers <see cref="ShardCounters"/>.</summary>
public sealed record GetShardCounters
{
    public static GetShardCounters Instance { get; } = new();
}

/// <summary>Ask a shard for a copy of its state; it answers <see cref="ShardState"/>.</summary>
public sealed record GetShardState
{
    public static GetShardState Instance { get; } = new();
}

/// <summary>Coordinator → worker: start the training loop.</summary>
public sealed record BeginTraining
{
    public static BeginTraining Instance { get; } = new();
}

/// <summary>Worker → coordinator: the loss of one step.</summary>
public sealed record StepLoss(string Worker, long Step, float Loss, int Samples);

/// <summary>Worker → coordinator: done; <paramref name="Steps"/> steps computed.</summary>
public sealed record WorkerFinished(string Worker, long Steps);

/// <summary>Ask the coordinator to run the job; it answers <see cref="RunResult"/> or <see cref="RunFailed"/>.</summary>
public sealed record StartRun
{
    public static StartRun Instance { get; } = new();
}

/// <summary>The finished run: final flat parameters, every reported loss, and each shard's counters.</summary>
public sealed record RunResult(float[] Parameters, IReadOnlyList<StepLoss> Losses, IReadOnlyList<ShardCounters> Shards);

public sealed record RunFailed(string Reason);

/// <summary>
/// Ask the coordinator to take a worker out of the run (a node leaving, an operator's request): the worker is
/// stopped and the shards carry on with the rest of the live set.
/// </summary>
public sealed record RemoveWorker(string Worker);

/// <summary>
/// Pushes and parameter slices travel as bare tensor frames: the bytes are written straight from the sender's memory
/// and read straight into a pooled buffer (no copy through a message frame). The frame's small header — the payload's
/// name and version — carries the message's fields:
/// <code>
///   push:{shard}:{step}:{samples}:{worker}   version = step        → PushGradient
///   slice:{shard}                            version = the shard's  → ParameterSlice
/// </code>
/// A payload whose name does not parse is not a data-plane message; receivers dispose it and log.
/// </summary>
public static class DataPlane
{
    public static string PushName(int shard, long step, int samples, string worker) => $"push:{shard}:{step}:{samples}:{worker}";

    public static string SliceName(int shard) => $"slice:{shard}";

    public static bool TryReadPush(TensorPayload t, out PushGradient push)
    {
        push = null!;
        var parts = t.Name.Split(':', 5);
        if (parts.Length != 5 || parts[0] != "push" || !int.TryParse(parts[1], out int shard) || shard < 0 || !long.TryParse(parts[2], out long step)
            || !int.TryParse(parts[3], out int samples) || samples < 0 || parts[4].Length == 0)
            return false;
        push = new PushGradient(shard, parts[4], step, samples, t);
        return true;
    }

    public static bool TryReadSlice(TensorPayload t, out ParameterSlice slice)
    {
        slice = null!;
        if (!t.Name.StartsWith("slice:", StringComparison.Ordinal) || !int.TryParse(t.Name.AsSpan(6), out int shard) || shard < 0) return false;
        slice = new ParameterSlice(shard, t.Version, t);
        return true;
    }
}

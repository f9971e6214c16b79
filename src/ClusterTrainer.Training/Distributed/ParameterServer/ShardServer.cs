using ClusterTrainer.Actors;
using ClusterTrainer.Training.Distributed.Compression;

namespace ClusterTrainer.Training.Distributed.ParameterServer;

/// <summary>
/// The message side of one <see cref="ParameterShard"/>, shared by the actors that host a shard
/// (<see cref="ParameterServerActor"/> in fixed placements, the cluster's shard entities): pushes go to the
/// shard; a pull is answered at once when the shard says the worker may proceed, otherwise it is parked and
/// answered after the push (or leave) that makes it possible. Pulls are answered in arrival order.
/// Call from the owning actor's mailbox only.
/// </summary>
public sealed class ShardServer(ParameterShard shard)
{
    private readonly List<(PullParameters Pull, IActorRef ReplyTo)> _parked = new();
    private readonly Dictionary<string, long> _sent = new(StringComparer.Ordinal);
    private float[]? _decoded;
    // Clipping by norm: the parts of the squared norm of each step, by shard (summed in shard order).
    private readonly Dictionary<long, SortedDictionary<int, double>> _normParts = new();
    private long _sharedStep = -1;

    public ParameterShard Shard { get; } = shard;

    /// <summary>How many shards the vector has: with clipping by norm a step waits for every one's part.</summary>
    public int ShardCount { get; init; } = 1;

    /// <summary>Sends this shard's part of a step's squared norm to every other shard (clipping by norm).</summary>
    public Action<long, double>? ShareNormPart { get; init; }

    /// <summary>Bytes of gradient payloads taken and parameter payloads sent.</summary>
    public long BytesIn { get; private set; }
    public long BytesOut { get; private set; }
    public long IgnoredPulls { get; private set; }

    public PushOutcome Push(PushGradient push, IActorRef self)
    {
        using var payload = push.Gradient;
        CheckShard(push.Shard);
        BytesIn += payload.Data.Length;
        var outcome = Shard.Push(push.Worker, push.Step, Floats(payload), push.Samples);
        if (outcome == PushOutcome.Applied) AnswerPulls(self);
        else if (Shard.PendingNormPart is { } part && _sharedStep != Shard.Version)
        {
            _sharedStep = Shard.Version;
            ShareNormPart?.Invoke(Shard.Version, part);
            AddNormPart(Shard.Version, Shard.Spec.Index, part, self);
        }
        return outcome;
    }

    /// <summary>
    /// One shard's part of a step's squared norm (clipping by norm). Once every shard's part of the step this shard
    /// waits on is in, the shard applies it and parked pulls are answered. Parts of steps already applied are dropped.
    /// </summary>
    public void AddNormPart(long step, int shard, double squaredNorm, IActorRef self)
    {
        if (step < Shard.Version || shard < 0 || shard >= ShardCount) return;
        if (!_normParts.TryGetValue(step, out var parts)) _normParts[step] = parts = new SortedDictionary<int, double>();
        parts[shard] = squaredNorm;
        if (Shard.PendingNormPart is null || step != Shard.Version || parts.Count < ShardCount) return;
        double total = 0;
        foreach (var p in parts.Values) total += p;
        _normParts.Remove(step);
        Shard.CompleteStep(total);
        AnswerPulls(self);
    }

    /// <summary>Takes a push that arrived as a bare tensor frame; false (payload disposed) when it is not one.</summary>
    public bool TryPush(Actors.Serialization.TensorPayload payload, IActorRef self)
    {
        if (!DataPlane.TryReadPush(payload, out var push)) { payload.Dispose(); return false; }
        Push(push, self);
        return true;
    }

    public void Pull(PullParameters pull, IActorRef replyTo, IActorRef self)
    {
        CheckShard(pull.Shard);
        if (IsGenerationScoped && !Shard.LiveWorkers.Contains(pull.Worker)) { IgnoredPulls++; return; }
        _parked.Add((pull, replyTo));
        AnswerPulls(self);
    }

    /// <summary>Answers every parked pull the shard now allows (after a leave, join or reset).</summary>
    public void AnswerPulls(IActorRef self)
    {
        for (int i = 0; i < _parked.Count;)
        {
            var (pull, replyTo) = _parked[i];
            if (!Shard.MayProceed(pull.Worker, pull.Step))
            {
                i++;
                continue;
            }
            _parked.RemoveAt(i);
            // A worker that already holds this version gets an empty slice: "unchanged, keep yours".
            bool unchanged = IsGenerationScoped && _sent.TryGetValue(pull.Worker, out var sent) && sent == Shard.Version;
            var values = unchanged
                ? new Actors.Serialization.TensorPayload(DataPlane.SliceName(Shard.Spec.Index), Shard.Version, Actors.Serialization.TensorDType.Float32, [0], Array.Empty<byte>())
                : SliceOf(Shard);
            _sent[pull.Worker] = Shard.Version;
            BytesOut += values.Data.Length;
            replyTo.Tell(values, self); // a bare tensor frame: DataPlane.TryReadSlice on the other side
        }
    }

    /// <summary>
    /// When true, pulls from workers outside the live set are ignored and counted in <see cref="IgnoredPulls"/>:
    /// a worker of an older generation must not be fed parameters of the new one.
    /// </summary>
    public bool IsGenerationScoped { get; init; }

    /// <summary>
    /// The shard's values as a slice payload. In sync mode the values are lent, not copied: they change only when every
    /// live worker has pushed the next step, and this worker pushes it only after this slice arrived. In the other modes
    /// another worker's push may change them while the slice is still being written, so they are copied.
    /// </summary>
    private static unsafe Actors.Serialization.TensorPayload SliceOf(ParameterShard shard)
    {
        string name = DataPlane.SliceName(shard.Spec.Index);
        var values = shard.Values;
        if (shard.Policy.Mode != Runs.SyncMode.Sync || values.Length == 0)
            return GradientCodec.Encode(name, shard.Version, values, GradientCompression.None);
        nint address = (nint)System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(values));
        return BorrowedFloats.Payload(name, shard.Version, address, values.Length);
    }

    /// <summary>How long a retired shard's memory outlives it (see <see cref="Retire"/>).</summary>
    public static readonly TimeSpan RetireGrace = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Frees the shard's native memory a while from now, not at once: slices lent in sync mode may still sit in an
    /// outbound queue.
    /// </summary>
    public void Retire()
    {
        var shard = Shard;
        _parked.Clear();
        _ = Task.Delay(RetireGrace).ContinueWith(_ => shard.Dispose(), TaskScheduler.Default);
    }

    /// <summary>Forgets parked pulls and what each worker holds (a new generation starts; the old workers are gone or superseded).</summary>
    public void DropParked()
    {
        _parked.Clear();
        _sent.Clear();
        _normParts.Clear();
        _sharedStep = -1;
    }

    /// <summary>A pushed gradient as float32: as is, or widened from float16/bfloat16 into a reused buffer.</summary>
    private ReadOnlySpan<float> Floats(Actors.Serialization.TensorPayload payload)
    {
        if (payload.DType == Actors.Serialization.TensorDType.Float32) return payload.AsFloats();
        var decoded = _decoded is { } d && d.Length == Shard.Spec.Length ? d : _decoded = new float[Shard.Spec.Length];
        GradientCodec.Decode(payload, decoded);
        return decoded;
    }

    private void CheckShard(int index)
    {
        if (index != Shard.Spec.Index)
            throw new InvalidOperationException($"Shard {Shard.Spec.Index} got a message for shard {index}; the sender's layout is wrong.");
    }
}

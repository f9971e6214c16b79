using System.Text.Json;
using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Remote;
using ClusterTrainer.Actors.Serialization;
using ClusterTrainer.Persistence.Sql.Checkpoints;
using ClusterTrainer.Training.Control;
using ClusterTrainer.Training.Distributed.Remote;

namespace ClusterTrainer.Training.Cluster;

// Messages of the cluster runtime. Control plane only: small records, encoded as JSON by RuntimeProtocol.
// The data plane (PushGradient, PullParameters, ParameterSlice) stays in Distributed/Messages.cs with its raw
// tensor frames. Every message names its run and generation: a generation is one stretch of training with a
// fixed set of workers and shards; anything from an older generation is ignored (and counted where it matters).

/// <summary>Worker host → coordinator, every couple of seconds: this node can train (also after a failover).</summary>
public sealed record RegisterWorker(string Node);

/// <summary>Coordinator → worker host: train steps [FromStep, UntilStep) as worker <see cref="Index"/> of <see cref="Workers"/>.</summary>
public sealed record AssignWork(
    string RunId, int Generation, string SpecYaml, int Width, long MaxShardElements,
    IReadOnlyList<string> Workers, int Index, long FromStep, long UntilStep, IReadOnlyList<string> ShardPaths);

/// <summary>
/// Coordinator → worker, to end a generation early (pause, stop, a node leaving): propose to stop before step
/// <see cref="Step"/>. The worker answers <see cref="SegmentEnding"/> with the step it can stop before (at least
/// <see cref="Step"/>, at least its next step) and does not compute that step or later ones until
/// <see cref="ConfirmEnd"/> names the generation's new end.
/// </summary>
public sealed record EndSegment(string RunId, int Generation, long Step);

/// <summary>Worker → coordinator: the step this worker proposes to stop before.</summary>
public sealed record SegmentEnding(string RunId, int Generation, string Worker, long Until);

/// <summary>
/// Coordinator → every worker of the generation, once all proposed: the generation ends before <see cref="Step"/>,
/// the largest proposal (a worker that proposed less trains up to it: in sync mode the others need its pushes).
/// </summary>
public sealed record ConfirmEnd(string RunId, int Generation, long Step);

/// <summary>
/// A ps or coordinator node that leaves gracefully (SIGTERM) → coordinator, before the node hands its shards or the
/// singleton off: bring the active run to a committed checkpoint first, so whoever takes over loses no step.
/// </summary>
public sealed record NodeLeaving(string Address);

/// <summary>Coordinator → leaving node: the run is checkpointed at <see cref="Step"/> (or none needed it); hand off now.</summary>
public sealed record NodeMayLeave(string Address, string? RunId, long Step);

/// <summary>Worker → coordinator: one step's loss.</summary>
public sealed record StepDone(string RunId, int Generation, string Worker, long Step, float Loss, int Samples, double SamplesPerSecond);

/// <summary>Worker → coordinator: every step before <see cref="Until"/> was pushed and taken by every shard.</summary>
public sealed record SegmentDone(string RunId, int Generation, string Worker, long Until);

/// <summary>Worker → coordinator: the worker could not train (data, model, device); the message says why.</summary>
public sealed record WorkerFailed(string RunId, int Generation, string Worker, string Reason);

/// <summary>How a shard entity starts a generation.</summary>
public enum ShardStart
{
    /// <summary>From the run's initial parameters (the model built after manual_seed(seed)).</summary>
    Fresh,
    /// <summary>Keep the slice and optimizer state it has; only the workers change. A shard without state answers ShardLost.</summary>
    Keep,
    /// <summary>From the checkpoint part named in the message.</summary>
    Restore,
}

/// <summary>Coordinator → shard entity (through sharding): start generation <see cref="Generation"/>.</summary>
public sealed record InitShard(
    string RunId, int Generation, int Index, long Offset, long Length, string SpecYaml, int Width, long MaxShardElements,
    IReadOnlyList<string> Workers, ShardStart Start, CheckpointPart? Part, double LearningRate, long FromStep, int ShardCount = 1);

/// <summary>
/// Shard → every other shard of the run (through the shard region), clipping by total norm: this shard's part of
/// the squared norm of step <see cref="Step"/>'s averaged gradient.
/// </summary>
public sealed record ShardNormPart(string RunId, int Generation, long Step, int Index, double SquaredNorm);

public sealed record ShardReady(string RunId, int Generation, int Index, long Version);

public sealed record ShardLost(string RunId, int Generation, int Index);

/// <summary>Coordinator → shard: write your part of checkpoint <see cref="Step"/> (temp, fsync, rename).</summary>
public sealed record CheckpointShard(string RunId, int Generation, long Step);

public sealed record ShardCheckpointed(string RunId, int Generation, int Index, CheckpointPart Part);

public sealed record ShardFailed(string RunId, int Generation, int Index, string Reason);

/// <summary>Coordinator → shard: the run is over; drop its state.</summary>
public sealed record ReleaseShard(string RunId);

/// <summary>Coordinator → shard: the counters and where they stand, for `ctr shard stats`.</summary>
public sealed record GetShardInfo(string RunId);

/// <summary>
/// A control-plane request to the coordinator (from any node's control API, through the singleton proxy):
/// <see cref="Kind"/> names the operation, <see cref="Argument"/> and <see cref="Step"/> its inputs. Answered with
/// <see cref="ControlResponse"/>.
/// </summary>
public sealed record ControlRequest(string Kind, string? RunId = null, string? Argument = null, long Step = 0);

/// <summary>The coordinator's answer: HTTP-like status (200 ok) and the JSON of the contract DTO or ControlError.</summary>
public sealed record ControlResponse(int Status, string Json);

/// <summary>A node's control plane asks the coordinator to send it run events (re-sent periodically; idempotent).</summary>
public sealed record SubscribeEvents(string Node);

/// <summary>Coordinator → subscribers: one <see cref="RunEvent"/>.</summary>
public sealed record RunEventNote(RunEvent Event);

// Journal events of the coordinator (RunCoordinator), in the order a run produces them.

public sealed record RunSubmitted(string RunId, string Name, string SpecYaml, string? Source, DateTimeOffset At);

public sealed record RunStarted(string RunId, int Width, long MaxShardElements, long ParameterCount, long TotalSteps, DateTimeOffset At);

public sealed record GenerationStarted(string RunId, int Generation, long FromStep, IReadOnlyList<string> WorkerNodes);

public sealed record CheckpointCommitted(string RunId, long Step, int Epoch);

public sealed record EpochEnded(string RunId, EpochMetrics Metrics);

public sealed record StatusChanged(string RunId, RunStatus Status, string? Reason, DateTimeOffset At);

public sealed record RunCompleted(string RunId, double TestAccuracy, double BestValidationAccuracy, DateTimeOffset At);

/// <summary>
/// Wire ids and codecs of the runtime's control messages and journal events (JSON: small, typed, versioned by id).
/// Ids continue the training range after <see cref="TrainingProtocol"/>; never renumber or reuse one.
/// </summary>
public static class RuntimeProtocol
{
    private static readonly JsonSerializerOptions Json = ControlJson.Options;

    public static SerializationRegistry Register(SerializationRegistry r)
    {
        TrainingProtocol.Register(r);
        ushort id = TypeIds.TrainingFirst + 100;
        Add<RegisterWorker>(r, id++);
        Add<AssignWork>(r, id++);
        Add<EndSegment>(r, id++);
        Add<SegmentEnding>(r, id++);
        Add<StepDone>(r, id++);
        Add<SegmentDone>(r, id++);
        Add<WorkerFailed>(r, id++);
        Add<InitShard>(r, id++);
        Add<ShardReady>(r, id++);
        Add<ShardLost>(r, id++);
        Add<CheckpointShard>(r, id++);
        Add<ShardCheckpointed>(r, id++);
        Add<ShardFailed>(r, id++);
        Add<ReleaseShard>(r, id++);
        Add<GetShardInfo>(r, id++);
        Add<ShardEntityInfo>(r, id++);
        Add<ControlRequest>(r, id++);
        Add<ControlResponse>(r, id++);
        Add<SubscribeEvents>(r, id++);
        Add<RunEventNote>(r, id++);
        Add<RunSubmitted>(r, id++);
        Add<RunStarted>(r, id++);
        Add<GenerationStarted>(r, id++);
        Add<CheckpointCommitted>(r, id++);
        Add<EpochEnded>(r, id++);
        Add<StatusChanged>(r, id++);
        Add<RunCompleted>(r, id++);
        Add<NodeLeaving>(r, id++);
        Add<NodeMayLeave>(r, id++);
        Add<ShardNormPart>(r, id++);
        Add<ConfirmEnd>(r, id++);
        return r;
    }

    public static void Register(ActorSystem system) => Register(Remoting.Get(system).Registry);

    private static void Add<T>(SerializationRegistry r, ushort id) where T : class =>
        r.Register<T>(id, (w, m) => w.WriteString(JsonSerializer.Serialize(m, Json)), (ref MessageReader rd) => Decode<T>(rd.ReadRequiredString()));

    private static T Decode<T>(string json) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Json) ?? throw new FrameFormatException($"{typeof(T).Name}: null message.");
        }
        catch (JsonException e)
        {
            throw new FrameFormatException($"{typeof(T).Name}: malformed JSON ({e.Message}).");
        }
    }
}

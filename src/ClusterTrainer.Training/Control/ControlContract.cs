using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClusterTrainer.Training.Control;

// The control plane as the node's HTTP API serves it and `ctr` reads it. Every body is JSON
// (ControlJson.Options: camelCase, enums as strings). Every /api route needs
// "Authorization: Bearer <token>"; /metrics (Prometheus text) and /healthz do not.
//
//   GET    /api/runs                                   -> RunInfo[]
//   POST   /api/runs            StartRunRequest        -> 201 RunInfo      (400 ControlError with Details for spec errors)
//   GET    /api/runs/{id}                              -> RunDetail
//   POST   /api/runs/{id}/pause | resume | stop        -> RunInfo          (404 unknown run, 409 not allowed in this state)
//   GET    /api/runs/{id}/checkpoints                  -> CheckpointInfo[]
//   POST   /api/runs/{id}/checkpoints/{step}/restore   -> RunInfo          (run continues from that checkpoint)
//   GET    /api/runs/{id}/checkpoints/{step}/export    -> application/octet-stream: a torch.load-able state_dict (.pt)
//   GET    /api/cluster/members                        -> MemberInfo[]
//   POST   /api/cluster/join    AddressRequest         -> 202
//   POST   /api/cluster/leave   AddressRequest         -> 202            (Address null: this node leaves)
//   POST   /api/cluster/down    AddressRequest         -> 202
//   GET    /api/shards?run={id}                        -> ShardInfo[]
//   GET    /api/events                                 -> text/event-stream: "event: <Type>\ndata: <RunEvent json>\n\n"
//   GET    /api/log?tail=N[&follow=true]               -> text/plain lines (follow: text/event-stream of lines)
//   GET    /metrics                                    -> Prometheus text exposition 0.0.4
//   GET    /healthz                                    -> 200 "ok"
// Errors: status code + ControlError { error, details? }.

/// <summary>The lifecycle of a run (see RunCoordinator for the diagram).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunStatus>))]
public enum RunStatus { Pending, Running, Paused, Completed, Failed, Stopped }

public sealed record StartRunRequest(string Spec, string? Source = null);

public sealed record AddressRequest(string? Address);

public sealed record ControlError(string Error, IReadOnlyList<string>? Details = null);

/// <summary>
/// One run as lists show it. <see cref="Epoch"/> counts finished epochs (0 before the first ends); <see cref="Step"/>
/// is the next global step to train (steps and epoch indices elsewhere count from 0: <see cref="EpochMetrics.Epoch"/>
/// and <see cref="RunEvent.Epoch"/> are 0-based indices). Pause, resume and stop answer with the state when the
/// request was taken; the status changes at the next sync point.
/// </summary>
public sealed record RunInfo(
    string Id,
    string Name,
    RunStatus Status,
    int Epoch,
    int Epochs,
    long Step,
    long TotalSteps,
    int Workers,
    double? LastLoss,
    double? ValidationAccuracy,
    double? TestAccuracy,
    string? Reason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>One finished epoch of a run.</summary>
public sealed record EpochMetrics(int Epoch, double TrainLoss, double ValidationLoss, double ValidationAccuracy, double LearningRate, double SamplesPerSecond);

/// <summary>
/// One run in full. <see cref="Generations"/> lists every stretch of training in order (journaled): a generation
/// that starts behind the one before it is a rollback to a checkpoint, and its steps were computed twice.
/// </summary>
public sealed record RunDetail(RunInfo Run, string Spec, IReadOnlyList<EpochMetrics> Epochs, IReadOnlyList<string> WorkerNodes, long? LastCheckpointStep,
    IReadOnlyList<GenerationInfo>? Generations = null);

/// <summary>A generation of a run: from which step, on how many workers.</summary>
public sealed record GenerationInfo(int Generation, long FromStep, int Workers);

public sealed record CheckpointInfo(string RunId, long Step, int Epoch, DateTimeOffset CreatedAt, int Parts, long Bytes);

public sealed record MemberInfo(string Address, string Status, IReadOnlyList<string> Roles, bool Reachable, bool IsLeader, bool IsSelf);

public sealed record ShardInfo(
    string RunId,
    int Shard,
    string Node,
    long Offset,
    long Length,
    long Version,
    long Applied,
    long DuplicatesDropped,
    long StaleDropped,
    long BytesIn,
    long BytesOut);

/// <summary>
/// What the live event stream carries. <see cref="Type"/>: RunStarted, Step, EpochEnded, Checkpoint, StatusChanged,
/// WorkerJoined, WorkerLeft, Recovery, RunEnded. Fields not used by a type are null.
/// </summary>
public sealed record RunEvent(
    string Type,
    string RunId,
    DateTimeOffset Time,
    RunStatus? Status = null,
    int? Epoch = null,
    long? Step = null,
    long? TotalSteps = null,
    double? Loss = null,
    double? SamplesPerSecond = null,
    double? ValidationAccuracy = null,
    double? TestAccuracy = null,
    string? Message = null);

/// <summary>One Prometheus sample: <c>name{labels} value</c>; Type is "counter" or "gauge".</summary>
public sealed record MetricSample(string Name, string Help, string Type, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>What the control plane refuses, with the HTTP status it maps to.</summary>
public enum ControlFailure { BadRequest = 400, NotFound = 404, Conflict = 409, Unavailable = 503 }

public sealed class ControlException(ControlFailure failure, string message, IReadOnlyList<string>? details = null) : Exception(message)
{
    public ControlFailure Failure { get; } = failure;
    public IReadOnlyList<string>? Details { get; } = details;
}

/// <summary>
/// What a node's control endpoint drives. The node runtime implements it by asking the coordinator singleton
/// and the cluster; tests use fakes. Methods throw <see cref="ControlException"/> for refusals.
/// </summary>
public interface IControlPlane
{
    Task<RunInfo> StartRunAsync(StartRunRequest request, CancellationToken ct);
    Task<IReadOnlyList<RunInfo>> ListRunsAsync(CancellationToken ct);
    Task<RunDetail> GetRunAsync(string runId, CancellationToken ct);
    Task<RunInfo> PauseAsync(string runId, CancellationToken ct);
    Task<RunInfo> ResumeAsync(string runId, CancellationToken ct);
    Task<RunInfo> StopAsync(string runId, CancellationToken ct);
    Task<IReadOnlyList<CheckpointInfo>> CheckpointsAsync(string runId, CancellationToken ct);
    Task<RunInfo> RestoreAsync(string runId, long step, CancellationToken ct);
    /// <summary>Writes checkpoint <paramref name="step"/> of the run as a PyTorch state_dict to <paramref name="destination"/>.</summary>
    Task ExportAsync(string runId, long step, Stream destination, CancellationToken ct);
    Task<IReadOnlyList<MemberInfo>> MembersAsync(CancellationToken ct);
    Task JoinAsync(string address, CancellationToken ct);
    /// <summary>Null: this node leaves.</summary>
    Task LeaveAsync(string? address, CancellationToken ct);
    Task DownAsync(string address, CancellationToken ct);
    Task<IReadOnlyList<ShardInfo>> ShardsAsync(string? runId, CancellationToken ct);
    /// <summary>Events from now on until <paramref name="ct"/> is cancelled.</summary>
    IAsyncEnumerable<RunEvent> EventsAsync(CancellationToken ct);
    IReadOnlyList<MetricSample> Metrics();
}

public static class ControlJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };
}

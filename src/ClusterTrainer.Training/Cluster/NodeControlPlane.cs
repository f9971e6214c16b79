using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Cluster;
using ClusterTrainer.Actors.Remote;
using ClusterTrainer.Persistence.Sql.Checkpoints;
using ClusterTrainer.Torch;
using ClusterTrainer.Training.Checkpoints;
using ClusterTrainer.Training.Control;

namespace ClusterTrainer.Training.Cluster;

/// <summary>
/// The control plane of one node: run operations go to the coordinator singleton (through this node's proxy)
/// as <see cref="ControlRequest"/>s; membership comes from this node's cluster view; checkpoints are exported
/// from the shared store and checkpoint directory; events arrive through a relay actor that keeps this node
/// subscribed to the coordinator (also after it moved).
/// </summary>
public sealed class NodeControlPlane : IControlPlane, IDisposable
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);

    private readonly ActorSystem _system;
    private readonly IActorRef _coordinator;
    private readonly ICheckpointStore _store;
    private readonly string _checkpointRoot;
    private readonly ConcurrentDictionary<Channel<RunEvent>, byte> _listeners = new();
    private readonly ConcurrentDictionary<string, RunEvent> _lastStep = new();
    private readonly IActorRef _relay;

    public NodeControlPlane(ActorSystem system, IActorRef coordinatorProxy, ICheckpointStore store, string checkpointRoot)
    {
        _system = system;
        _coordinator = coordinatorProxy;
        _store = store;
        _checkpointRoot = checkpointRoot;
        _relay = system.ActorOf(Props.CreateBy(() => new EventRelay(coordinatorProxy, Deliver)), "events");
    }

    private void Deliver(RunEvent e)
    {
        if (e.Type is "Step" or "EpochEnded" or "RunEnded") _lastStep[e.RunId] = e;
        foreach (var listener in _listeners.Keys) listener.Writer.TryWrite(e);
    }

    private async Task<T> AskAsync<T>(ControlRequest request, CancellationToken ct)
    {
        ControlResponse response;
        try { response = await _coordinator.Ask<ControlResponse>(request, RequestTimeout, ct).ConfigureAwait(false); }
        catch (TimeoutException)
        {
            throw new ControlException(ControlFailure.Unavailable,
                $"The coordinator did not answer within {RequestTimeout.TotalSeconds:0} s; is a node with the 'coordinator' role up and in the cluster?");
        }
        if (response.Status == 200) return JsonSerializer.Deserialize<T>(response.Json, ControlJson.Options)!;
        var error = JsonSerializer.Deserialize<ControlError>(response.Json, ControlJson.Options);
        throw new ControlException(Enum.IsDefined(typeof(ControlFailure), response.Status) ? (ControlFailure)response.Status : ControlFailure.Unavailable,
            error?.Error ?? "the coordinator refused the request", error?.Details);
    }

    public Task<RunInfo> StartRunAsync(StartRunRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Spec)) throw new ControlException(ControlFailure.BadRequest, "The run spec is empty; send the YAML text of a run spec (see examples/).");
        return AskAsync<RunInfo>(new ControlRequest("start", request.Source, request.Spec), ct);
    }

    public async Task<IReadOnlyList<RunInfo>> ListRunsAsync(CancellationToken ct) => await AskAsync<RunInfo[]>(new ControlRequest("list"), ct).ConfigureAwait(false);
    public Task<RunDetail> GetRunAsync(string runId, CancellationToken ct) => AskAsync<RunDetail>(new ControlRequest("get", runId), ct);
    public Task<RunInfo> PauseAsync(string runId, CancellationToken ct) => AskAsync<RunInfo>(new ControlRequest("pause", runId), ct);
    public Task<RunInfo> ResumeAsync(string runId, CancellationToken ct) => AskAsync<RunInfo>(new ControlRequest("resume", runId), ct);
    public Task<RunInfo> StopAsync(string runId, CancellationToken ct) => AskAsync<RunInfo>(new ControlRequest("stop", runId), ct);
    public async Task<IReadOnlyList<CheckpointInfo>> CheckpointsAsync(string runId, CancellationToken ct) =>
        await AskAsync<CheckpointInfo[]>(new ControlRequest("checkpoints", runId), ct).ConfigureAwait(false);
    public Task<RunInfo> RestoreAsync(string runId, long step, CancellationToken ct) => AskAsync<RunInfo>(new ControlRequest("restore", runId, Step: step), ct);
    public async Task<IReadOnlyList<ShardInfo>> ShardsAsync(string? runId, CancellationToken ct) =>
        await AskAsync<ShardInfo[]>(new ControlRequest("shards", runId), ct).ConfigureAwait(false);

    public async Task ExportAsync(string runId, long step, Stream destination, CancellationToken ct)
    {
        var detail = await GetRunAsync(runId, ct).ConfigureAwait(false);
        var spec = RunPlan.ParseSpec(detail.Spec, runId);
        LoadedCheckpoint loaded;
        try { loaded = await new CheckpointManager(_store, _checkpointRoot).LoadAsync(runId, step, ct).ConfigureAwait(false); }
        catch (InvalidOperationException e) { throw new ControlException(ControlFailure.NotFound, e.Message); }
        catch (CheckpointCorruptException e) { throw new ControlException(ControlFailure.Conflict, $"checkpoint step {step} is damaged: {e.Message}"); }
        var temp = Path.Combine(Path.GetTempPath(), $"ct-export-{Guid.NewGuid():N}.pt");
        try
        {
            using (var model = RunPlan.CreateModel(spec))
            using (var flat = FlatParameters.Create(model))
                CheckpointExport.ExportStateDict(loaded, flat.Slots, temp);
            await using var file = File.OpenRead(temp);
            await file.CopyToAsync(destination, ct).ConfigureAwait(false);
        }
        finally { File.Delete(temp); }
    }

    private Actors.Cluster.Cluster Cluster => Actors.Cluster.Cluster.Get(_system);

    public Task<IReadOnlyList<MemberInfo>> MembersAsync(CancellationToken ct)
    {
        var state = Cluster.State;
        var self = Cluster.SelfAddress;
        IReadOnlyList<MemberInfo> members = state.Members.Select(m => new MemberInfo(Remoting.ToAddress(m.Address).ToString(), m.Status.ToString(),
            m.Roles.ToArray(), !state.Unreachable.Any(u => u.Address == m.Address), state.Leader == m.Address, m.Address == self)).ToArray();
        return Task.FromResult(members);
    }

    private static NodeAddress ParseAddress(string address) => NodeAddress.TryParse(address, out var a) ? a!
        : throw new ControlException(ControlFailure.BadRequest, $"'{address}' is not a node address like ct.tcp://{NodeOptions.SystemName}@host:4053.");

    public Task JoinAsync(string address, CancellationToken ct) { Cluster.Join(ParseAddress(address)); return Task.CompletedTask; }

    public Task LeaveAsync(string? address, CancellationToken ct)
    {
        Cluster.Leave(address is null ? Cluster.SelfAddress : ParseAddress(address));
        return Task.CompletedTask;
    }

    public Task DownAsync(string address, CancellationToken ct) { Cluster.Down(ParseAddress(address)); return Task.CompletedTask; }

    /// <summary>Subscribes at once (not at the first read), so nothing published after this call is missed.</summary>
    public IAsyncEnumerable<RunEvent> EventsAsync(CancellationToken ct)
    {
        var channel = Channel.CreateBounded<RunEvent>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest });
        _listeners[channel] = 0;
        ct.Register(() => _listeners.TryRemove(channel, out _)); // also when the stream is never read
        return Read(channel, ct);
    }

    private async IAsyncEnumerable<RunEvent> Read(Channel<RunEvent> channel, [EnumeratorCancellation] CancellationToken ct)
    {
        try
        {
            await foreach (var e in channel.Reader.ReadAllAsync(ct).ConfigureAwait(false)) yield return e;
        }
        finally { _listeners.TryRemove(channel, out _); }
    }

    public IReadOnlyList<MetricSample> Metrics()
    {
        var samples = new List<MetricSample>();
        var state = Cluster.State;
        foreach (var group in state.Members.GroupBy(m => m.Status))
            samples.Add(new("ct_cluster_members", "Cluster members by status, as this node sees them.", "gauge",
                new Dictionary<string, string> { ["status"] = group.Key.ToString() }, group.Count()));
        samples.Add(new("ct_cluster_unreachable", "Members this node finds unreachable.", "gauge", new Dictionary<string, string>(), state.Unreachable.Count));
        var c = Remoting.Get(_system).Counters;
        var none = new Dictionary<string, string>();
        samples.Add(new("ct_remote_bytes_out_total", "Bytes sent by remoting.", "counter", none, c.BytesOut));
        samples.Add(new("ct_remote_bytes_in_total", "Bytes received by remoting.", "counter", none, c.BytesIn));
        samples.Add(new("ct_remote_frames_out_total", "Frames sent by remoting.", "counter", none, c.FramesOut));
        samples.Add(new("ct_remote_frames_in_total", "Frames received by remoting.", "counter", none, c.FramesIn));
        samples.Add(new("ct_remote_messages_dropped_total", "Messages remoting dropped (full queues, dead peers).", "counter", none, c.MessagesDropped));
        foreach (var (run, e) in _lastStep)
        {
            var labels = new Dictionary<string, string> { ["run"] = run };
            if (e.Step is { } step) samples.Add(new("ct_run_step", "Last step reported by the run.", "gauge", labels, step));
            if (e.Loss is { } loss) samples.Add(new("ct_run_loss", "Mean training loss of the current epoch.", "gauge", labels, loss));
            if (e.SamplesPerSecond is { } rate) samples.Add(new("ct_run_samples_per_second", "Training throughput over all workers.", "gauge", labels, rate));
            if (e.ValidationAccuracy is { } acc) samples.Add(new("ct_run_validation_accuracy", "Validation accuracy of the last epoch.", "gauge", labels, acc));
        }
        return samples;
    }

    public void Dispose()
    {
        foreach (var listener in _listeners.Keys) listener.Writer.TryComplete();
    }

    /// <summary>Keeps this node subscribed to the coordinator's events and hands them to the control plane.</summary>
    private sealed class EventRelay : ReceiveActor, IWithTimers
    {
        private sealed record Resubscribe { public static readonly Resubscribe Instance = new(); }

        public EventRelay(IActorRef coordinator, Action<RunEvent> deliver)
        {
            Receive<Resubscribe>(_ => coordinator.Tell(new SubscribeEvents(Remoting.Get(Context.System).Address.ToString()), Self));
            Receive<RunEventNote>(n => deliver(n.Event));
        }

        public ITimerScheduler Timers { get; set; } = null!;

        protected override void PreStart()
        {
            Self.Tell(Resubscribe.Instance);
            Timers.StartPeriodicTimer("subscribe", Resubscribe.Instance, TimeSpan.FromSeconds(2));
        }
    }
}

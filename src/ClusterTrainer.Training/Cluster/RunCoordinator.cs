using System.Text.Json;
using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Persistence;
using ClusterTrainer.Persistence.Sql.Checkpoints;
using ClusterTrainer.Training.Checkpoints;
using ClusterTrainer.Training.Control;
using ClusterTrainer.Training.Runs;

namespace ClusterTrainer.Training.Cluster;

/// <summary>What the coordinator needs from its node: where checkpoints and data are, the store, the shard region.</summary>
public sealed record CoordinatorSettings(string CheckpointRoot, ICheckpointStore Store, string DataDir, IActorRef ShardRegion)
{
    /// <summary>How long a new run waits for as many workers as its width before it starts with fewer.</summary>
    public TimeSpan StartGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long shards have to answer a generation's InitShard before it is tried again.</summary>
    public TimeSpan InitTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The most steps between two sync points (new generation): joins, pause and stop take effect there.</summary>
    public int SegmentCap { get; init; } = 50;
}

/// <summary>
/// The coordinator: a cluster singleton whose state is an event-sourced journal (persistence id
/// <see cref="PersistenceId"/>). It keeps every run and drives one active run at a time.
/// <code>
///              submit                     start (workers registered)
///   (none) ----------> Pending ---------------------------------------> Running &lt;--+
///                         |                                               |  ^      | resume
///                         | stop                               pause      |  |      |
///                         v                        (at the next sync point)v  |      |
///                      Stopped &lt;------------- stop ---------------------- Paused ---+
///                         |  resume (from the last checkpoint)             |
///                         +----------------------------------------------> Running
///   Running --last epoch, or early stopping--> Completed
///   Running --no checkpoint to recover from / shards cannot start--> Failed
/// </code>
/// A run trains in generations: each is a stretch of steps with fixed workers and shards, started by InitShard to
/// every shard and AssignWork to every worker; a worker or shard that dies, a worker that joins, a pause or the
/// next checkpoint ends it, and the next generation starts from the shards' current state (when they agree) or
/// from the last committed checkpoint. After a failover the new coordinator replays the journal and resumes
/// every Running run from its last committed checkpoint.
/// </summary>
public sealed partial class RunCoordinator : PersistentActor, IWithTimers
{
    public const string SingletonName = "run-coordinator";

    private readonly CoordinatorSettings _settings;
    private readonly CheckpointManager _checkpoints;
    private readonly List<RunRecord> _runs = new();
    private readonly Dictionary<string, IActorRef> _workers = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, DateTime> _subscribers = new();

    public RunCoordinator(CoordinatorSettings settings)
    {
        _settings = settings;
        _checkpoints = new CheckpointManager(settings.Store, settings.CheckpointRoot, keepLast: 3);
        Recover<RunSubmitted>(e => _runs.Add(new RunRecord(e) { Epochs = EpochsOf(e.SpecYaml) }));
        Recover<RunStarted>(e => RunOf(e.RunId)?.Apply(e));
        Recover<GenerationStarted>(e => RunOf(e.RunId)?.Apply(e));
        Recover<CheckpointCommitted>(e => RunOf(e.RunId)?.Apply(e));
        Recover<EpochEnded>(e => RunOf(e.RunId)?.Apply(e));
        Recover<StatusChanged>(e => RunOf(e.RunId)?.Apply(e));
        Recover<RunCompleted>(e => RunOf(e.RunId)?.Apply(e));
        Recover<RecoveryCompleted>(_ => Self.Tell(TryStart.Instance));

        Command<RegisterWorker>(OnRegister);
        Command<Terminated>(OnTerminated);
        Command<SubscribeEvents>(_ => { if (!_subscribers.ContainsKey(Sender)) Context.Watch(Sender); _subscribers[Sender] = DateTime.UtcNow; });
        Command<ControlRequest>(OnControl);
        Command<TryStart>(_ => TryStartNext());
        CommandExecution();
    }

    public override string PersistenceId => "run-coordinator";

    public ITimerScheduler Timers { get; set; } = null!;

    private sealed record TryStart { public static readonly TryStart Instance = new(); }

    protected override void OnPreStart() => Timers.StartPeriodicTimer("try-start", TryStart.Instance, TimeSpan.FromSeconds(1));

    private RunRecord? RunOf(string id) => _runs.FirstOrDefault(r => r.Id == id);

    private static int EpochsOf(string yaml)
    {
        try { return RunPlan.ParseSpec(yaml, "journal").Training.Epochs; }
        catch (RunSpecException) { return 0; }
    }

    private void OnRegister(RegisterWorker m)
    {
        if (_workers.TryGetValue(m.Node, out var known) && known.Equals(Sender)) return;
        _workers[m.Node] = Sender;
        Context.Watch(Sender);
        Log.Info($"Worker {m.Node} registered ({_workers.Count} live).");
        if (_exec is { } x) Publish(new RunEvent("WorkerJoined", x.Run.Id, DateTimeOffset.UtcNow, Message: m.Node));
        TryStartNext();
    }

    private void OnTerminated(Terminated t)
    {
        _subscribers.Remove(t.ActorRef);
        var node = _workers.FirstOrDefault(kv => kv.Value.Equals(t.ActorRef)).Key;
        if (node is not null)
        {
            _workers.Remove(node);
            Log.Warning($"Worker {node} is gone ({_workers.Count} live).");
            OnWorkerLost(node);
            return;
        }
        OnShardTerminated(t.ActorRef);
    }

    private void Publish(RunEvent e)
    {
        var stale = DateTime.UtcNow - TimeSpan.FromSeconds(15);
        foreach (var (subscriber, seen) in _subscribers.ToArray())
        {
            if (seen < stale) { _subscribers.Remove(subscriber); Context.Unwatch(subscriber); continue; }
            subscriber.Tell(new RunEventNote(e), Self);
        }
    }

    private void Change(RunRecord run, RunStatus status, string? reason = null)
    {
        var e = new StatusChanged(run.Id, status, reason, DateTimeOffset.UtcNow);
        Persist(e, ev =>
        {
            run.Apply(ev);
            Publish(new RunEvent("StatusChanged", run.Id, ev.At, Status: status, Message: reason));
        });
    }

    // ---- control plane -------------------------------------------------------------------------------------------

    private void OnControl(ControlRequest m)
    {
        var replyTo = Sender;
        try
        {
            switch (m.Kind)
            {
                case "start": Submit(m, replyTo); return;
                case "list": Reply(replyTo, _runs.Select(r => r.ToInfo()).ToArray()); return;
                case "get": Reply(replyTo, Known(m.RunId).ToDetail()); return;
                case "pause": Reply(replyTo, Pause(Known(m.RunId))); return;
                case "resume": Reply(replyTo, Resume(Known(m.RunId), null)); return;
                case "stop": Reply(replyTo, Stop(Known(m.RunId))); return;
                case "checkpoints": ListCheckpoints(Known(m.RunId), replyTo); return;
                case "restore": RestoreTo(Known(m.RunId), m.Step, replyTo); return;
                case "shards": ShardStats(m.RunId, replyTo); return;
                default: throw new ControlException(ControlFailure.BadRequest, $"Unknown control request '{m.Kind}'.");
            }
        }
        catch (ControlException e)
        {
            ReplyError(replyTo, e);
        }
    }

    private RunRecord Known(string? id) => RunOf(id ?? "")
        ?? throw new ControlException(ControlFailure.NotFound, $"No run '{id}'; `ctr run list` shows the runs there are.");

    private static void Reply<T>(IActorRef to, T value) => to.Tell(new ControlResponse(200, JsonSerializer.Serialize(value, ControlJson.Options)));

    private static void ReplyError(IActorRef to, ControlException e) =>
        to.Tell(new ControlResponse((int)e.Failure, JsonSerializer.Serialize(new ControlError(e.Message, e.Details), ControlJson.Options)));

    private void Submit(ControlRequest m, IActorRef replyTo)
    {
        var yaml = m.Argument ?? throw new ControlException(ControlFailure.BadRequest, "The request carries no run spec.");
        RunSpec spec;
        try { spec = RunPlan.ParseSpec(yaml, m.RunId ?? "run spec"); }
        catch (RunSpecException e)
        {
            throw new ControlException(ControlFailure.BadRequest, $"The run spec has {e.Errors.Count} problem(s).", e.Errors.Select(x => x.ToString()).ToArray());
        }
        var id = NewRunId(spec.Name);
        var submitted = new RunSubmitted(id, spec.Name, yaml, m.RunId, DateTimeOffset.UtcNow);
        Persist(submitted, e =>
        {
            var run = new RunRecord(e) { Epochs = spec.Training.Epochs };
            _runs.Add(run);
            Reply(replyTo, run.ToInfo());
            Publish(new RunEvent("StatusChanged", id, e.At, Status: RunStatus.Pending, Message: "submitted"));
            TryStartNext();
        });
    }

    private string NewRunId(string name)
    {
        var slug = new string(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        if (slug.Length == 0) slug = "run";
        if (slug.Length > 60) slug = slug[..60];
        return $"{slug}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Random.Shared.Next(0x10000):x4}";
    }

    private void ListCheckpoints(RunRecord run, IActorRef replyTo)
    {
        _settings.Store.ListAsync(run.Id).ContinueWith(t =>
        {
            if (t.IsFaulted) { ReplyError(replyTo, new ControlException(ControlFailure.Unavailable, $"The checkpoint store failed: {t.Exception!.GetBaseException().Message}")); return; }
            Reply(replyTo, t.Result.Select(c => new CheckpointInfo(c.RunId, c.Step, c.Epoch, c.CreatedAt, c.Parts.Count, c.Parts.Sum(p => p.SizeBytes))).ToArray());
        });
    }
}

using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Remote;
using ClusterTrainer.Training.Distributed.Worker;

namespace ClusterTrainer.Training.Cluster;

/// <summary>
/// The worker role of a node (<c>/user/worker</c>): registers with the coordinator singleton every
/// <see cref="RegisterInterval"/> (so a coordinator that moved learns about it), and runs the
/// <see cref="RunWorker"/> of each <see cref="AssignWork"/> it gets, one at a time: a newer generation replaces the
/// running one. The run's data and model are loaded once per run and kept between generations.
/// </summary>
public sealed class WorkerHost : ReceiveActor, IWithTimers
{
    public const string Name = "worker";
    public static readonly TimeSpan RegisterInterval = TimeSpan.FromSeconds(1);

    private sealed record Tick { public static readonly Tick Instance = new(); }

    private readonly IActorRef _coordinator;
    private readonly string _dataDir;
    private readonly ILoggingAdapter _log;
    private string? _runId;
    private RunData? _data;
    private WorkerStep? _step;
    private IActorRef? _current;
    private (string RunId, int Generation) _generation = ("", -1);
    private AssignWork? _pending;

    public WorkerHost(IActorRef coordinatorProxy, string dataDir)
    {
        _coordinator = coordinatorProxy;
        _dataDir = dataDir;
        _log = Context.GetLogger();
        Receive<Tick>(_ => _coordinator.Tell(new RegisterWorker(Remoting.Get(Context.System).Address.ToString()), Self));
        Receive<AssignWork>(OnAssign);
        // An early end may come while the generation's RunWorker waits for the old one to stop: keep it for the new one.
        Receive<EndSegment>(m => ToGeneration(m, m.RunId, m.Generation));
        Receive<ConfirmEnd>(m => ToGeneration(m, m.RunId, m.Generation));
        Receive<Terminated>(t =>
        {
            if (!t.ActorRef.Equals(_current)) return;
            _current = null;
            if (_pending is { } next) { _pending = null; Start(next); }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        Self.Tell(Tick.Instance);
        Timers.StartPeriodicTimer("register", Tick.Instance, RegisterInterval);
    }

    private readonly List<(object Message, IActorRef Sender)> _early = new();

    private void ToGeneration(object message, string runId, int generation)
    {
        if (_pending is { } p && p.RunId == runId && p.Generation == generation) _early.Add((message, Sender));
        else _current?.Forward(message);
    }

    private void OnAssign(AssignWork m)
    {
        if (m.RunId == _generation.RunId && m.Generation <= _generation.Generation) return; // late or repeated
        _generation = (m.RunId, m.Generation);
        _early.Clear();
        if (_current is not null)
        {
            // The running generation shares the model buffers: start the new one once the old has stopped.
            _pending = m;
            Context.Stop(_current);
            return;
        }
        Start(m);
    }

    private void Start(AssignWork m)
    {
        try
        {
            var spec = RunPlan.ParseSpec(m.SpecYaml, m.RunId);
            if (_runId != m.RunId)
            {
                ReleaseRun();
                _data = RunData.Load(spec, _dataDir);
                _step = new WorkerStep(RunPlan.CreateModel(spec), RunPlan.Loss);
                _runId = m.RunId;
            }
            var plan = new RunPlan(spec, m.SpecYaml, m.Width, m.MaxShardElements, _data!.Train.Count);
            var remoting = Remoting.Get(Context.System);
            var shards = m.ShardPaths.Select(p => remoting.ActorFor(p)).ToArray();
            var data = _data;
            var step = _step!;
            var coordinator = _coordinator;
            _current = Context.ActorOf(Props.CreateBy(() => new RunWorker(m, plan, data, step, coordinator, shards)).WithPinnedThread(), $"run-g{m.Generation}");
            Context.Watch(_current);
            foreach (var (message, sender) in _early) _current.Tell(message, sender);
            _early.Clear();
        }
        catch (Exception e)
        {
            _log.Error(e, $"Cannot train run {m.RunId} generation {m.Generation}: {e.Message}");
            _coordinator.Tell(new WorkerFailed(m.RunId, m.Generation, m.Workers[m.Index], e.Message), Self);
        }
    }

    /// <summary>
    /// Lets go of the run's data and model. The model's gradient buffer is freed a minute later, not now: pushes of a
    /// superseded generation are views of it (no copy) and may still sit in an outbound queue.
    /// </summary>
    private void ReleaseRun()
    {
        var step = _step;
        var data = _data;
        _step = null;
        _data = null;
        _runId = null;
        if (step is null && data is null) return;
        _ = Task.Delay(BufferGrace).ContinueWith(_ =>
        {
            step?.Dispose();
            data?.Dispose();
        }, TaskScheduler.Default);
    }

    /// <summary>How long a released run's buffers outlive it (see <see cref="ReleaseRun"/>).</summary>
    public static readonly TimeSpan BufferGrace = TimeSpan.FromMinutes(1);

    protected override void PostStop() => ReleaseRun();
}

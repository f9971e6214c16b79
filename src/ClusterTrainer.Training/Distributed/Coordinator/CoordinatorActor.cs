using ClusterTrainer.Actors;
using ClusterTrainer.Training.Distributed.ParameterServer;
using ClusterTrainer.Training.Distributed.Remote;
using ClusterTrainer.Training.Distributed.Worker;

namespace ClusterTrainer.Training.Distributed.Coordinator;

/// <summary>
/// Runs one <see cref="TrainingJob"/> in-process: builds the initial parameters from the seed, cuts them into
/// shards (<see cref="ShardLayout"/>), starts one <see cref="ParameterServerActor"/> per shard and the workers,
/// collects losses, and when every worker is done gathers the shards' final state and counters.
/// <code>
///   [idle] --StartRun--> [training] --all WorkerFinished--> [collecting] --all shard states--> [done]
///                            |  worker stops early: WorkerLeft to every shard, run goes on
///                            +--a shard stops, or no worker left--> [failed] (RunFailed to the requester)
/// </code>
/// Given <see cref="RunMembers"/>, it creates nothing: the shards and workers were started on other nodes
/// (Distributed/Remote) and it resolves, watches and drives them by path instead.
/// </summary>
public sealed class CoordinatorActor : ReceiveActor
{
    private readonly TrainingJob _job;
    private readonly List<StepLoss> _losses = new();
    private readonly HashSet<IActorRef> _workers = new();
    private readonly HashSet<string> _finished = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, ShardSpec> _shards = new();
    private readonly Dictionary<int, ShardState> _states = new();
    private readonly Dictionary<int, ShardCounters> _counters = new();
    private ShardLayout? _layout;
    private IActorRef? _requester;
    private bool _collecting, _done;

    private readonly RunMembers? _members;

    public CoordinatorActor(TrainingJob job) : this(job, null) { }

    /// <summary>
    /// A coordinator whose shards and workers were started elsewhere (other nodes) and are given by path:
    /// it watches them and drives the run instead of creating children.
    /// </summary>
    public CoordinatorActor(TrainingJob job, RunMembers? members)
    {
        job.Validate();
        _job = job;
        _members = members;
        Receive<StartRun>(_ => Start());
        Receive<StepLoss>(_losses.Add);
        Receive<WorkerFinished>(OnFinished);
        Receive<ShardState>(s => { _states[s.ShardIndex] = s; TryComplete(); });
        Receive<ShardCounters>(c => { _counters[c.ShardIndex] = c; TryComplete(); });
        Receive<Terminated>(OnTerminated);
        Receive<RemoveWorker>(OnRemove);
    }

    protected override SupervisorStrategy SupervisorStrategy() => Actors.SupervisorStrategy.StoppingStrategy;

    private void Start()
    {
        if (_requester is not null) { Sender.Tell(new RunFailed("This coordinator has already started its run.")); return; }
        _requester = Sender;
        float[] initial = _job.InitialParameters();
        _layout = _job.Layout(initial.Length);
        if (_members is not null) { Adopt(_members); return; }
        var workerIds = Enumerable.Range(0, _job.Workers).Select(TrainingJob.WorkerName).ToArray();
        var shardRefs = new List<(ShardSpec, IActorRef)>();
        foreach (var spec in _layout.Shards)
        {
            var slice = initial.AsSpan((int)spec.Offset, (int)spec.Length).ToArray();
            var props = Props.CreateBy(() => new ParameterServerActor(spec, slice, _job.Optimizer, _job.Policy, workerIds));
            var shard = Context.ActorOf(props, $"ps-{spec.Index}");
            Context.Watch(shard);
            _shards[shard] = spec;
            shardRefs.Add((spec, shard));
        }
        for (int i = 0; i < _job.Workers; i++)
        {
            int index = i;
            var worker = Context.ActorOf(Props.CreateBy(() => new WorkerActor(index, _job, shardRefs, Self)).WithPinnedThread(), workerIds[i]);
            Context.Watch(worker);
            _workers.Add(worker);
        }
        foreach (var w in _workers) w.Tell(BeginTraining.Instance, Self);
    }

    /// <summary>Members started on other nodes (see Distributed/Remote): watch them and start the workers.</summary>
    private void Adopt(RunMembers members)
    {
        if (members.Shards.Count != _layout!.Count || members.Workers.Count != _job.Workers)
        {
            Fail($"The placement names {members.Shards.Count} shards and {members.Workers.Count} workers but the job has " +
                 $"{_layout.Count} shards and {_job.Workers} workers; build the placement from the same job on every node.");
            return;
        }
        var provider = Context.System.Provider;
        for (int i = 0; i < members.Shards.Count; i++)
        {
            var shard = provider.ResolveActorRef(ActorPath.Parse(members.Shards[i]));
            Context.Watch(shard);
            _shards[shard] = _layout.Shards[i];
        }
        foreach (var path in members.Workers)
        {
            var worker = provider.ResolveActorRef(ActorPath.Parse(path));
            Context.Watch(worker);
            _workers.Add(worker);
        }
        foreach (var w in _workers) w.Tell(BeginTraining.Instance, Self);
    }

    private void OnFinished(WorkerFinished m)
    {
        _finished.Add(m.Worker);
        if (_finished.Count == _job.Workers) Collect();
    }

    private void OnRemove(RemoveWorker m)
    {
        var worker = _workers.FirstOrDefault(w => w.Path.Name == m.Worker);
        if (worker is null)
        {
            Sender.Tell(new RunFailed($"No running worker named '{m.Worker}'; running: {string.Join(", ", _workers.Select(w => w.Path.Name))}."));
            return;
        }
        Context.Stop(worker); // Terminated then tells the shards
    }

    private void OnTerminated(Terminated t)
    {
        if (_done) return;
        if (_shards.TryGetValue(t.ActorRef, out var spec))
        {
            Fail($"Parameter shard {spec.Index} stopped during the run (see the log for its error).");
            return;
        }
        if (!_workers.Remove(t.ActorRef)) return;
        string id = t.ActorRef.Path.Name;
        foreach (var shard in _shards.Keys) shard.Tell(new WorkerLeft(id), Self);
        if (_finished.Contains(id) || _collecting) return;
        // A worker died: the shards go on with the rest; the run needs at least one worker still going.
        _finished.Add(id);
        if (_workers.Count == 0) Fail("Every worker stopped before the run finished.");
        else if (_finished.Count == _job.Workers) Collect();
    }

    private void Collect()
    {
        if (_collecting) return;
        _collecting = true;
        foreach (var shard in _shards.Keys)
        {
            shard.Tell(GetShardState.Instance, Self);
            shard.Tell(GetShardCounters.Instance, Self);
        }
    }

    private void TryComplete()
    {
        if (_done || _layout is null || _states.Count < _layout.Count || _counters.Count < _layout.Count) return;
        var parameters = new float[_layout.ParameterCount];
        foreach (var s in _states.Values) s.Values.CopyTo(parameters, s.Offset);
        _done = true;
        _requester?.Tell(new RunResult(parameters, _losses.ToArray(),
            _counters.Values.OrderBy(c => c.ShardIndex).ToArray()), Self);
    }

    private void Fail(string reason)
    {
        _done = true;
        _requester?.Tell(new RunFailed(reason), Self);
    }
}

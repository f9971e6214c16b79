using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Remote;
using ClusterTrainer.Training.Distributed.Coordinator;
using ClusterTrainer.Training.Distributed.ParameterServer;
using ClusterTrainer.Training.Distributed.Worker;

namespace ClusterTrainer.Training.Distributed.Remote;

/// <summary>
/// The paths of the shards (in layout order) and workers (in index order) a coordinator drives but did not
/// create. Paths, not refs: the coordinator resolves them when the run starts, once every node has started
/// its actors (a local path resolved before its actor exists would stay a dead-letter ref).
/// </summary>
public sealed record RunMembers(IReadOnlyList<string> Shards, IReadOnlyList<string> Workers);

/// <summary>
/// Where every actor of one run lives: the coordinator's node, the node of each shard (index = shard index)
/// and of each worker (index = worker index). Every node gets the same placement and the same
/// <see cref="TrainingJob"/> and calls <see cref="TrainingNodes.Start"/>; actors have fixed names
/// (<c>/user/coordinator</c>, <c>/user/ps-{i}</c>, <c>/user/worker-{i}</c>), so each node knows the others'
/// paths without any lookup.
/// </summary>
public sealed record TrainingPlacement(Address Coordinator, IReadOnlyList<Address> Shards, IReadOnlyList<Address> Workers)
{
    /// <summary>Shards spread round-robin over <paramref name="psNodes"/>; worker i on <paramref name="workerNodes"/>[i].</summary>
    public static TrainingPlacement RoundRobin(Address coordinator, IReadOnlyList<Address> psNodes, IReadOnlyList<Address> workerNodes, int shardCount)
    {
        if (psNodes.Count == 0) throw new ArgumentException("A placement needs at least one parameter-server node.", nameof(psNodes));
        if (shardCount < 1) throw new ArgumentException($"A placement needs at least one shard (got {shardCount}).", nameof(shardCount));
        return new(coordinator, Enumerable.Range(0, shardCount).Select(i => psNodes[i % psNodes.Count]).ToArray(), workerNodes.ToArray());
    }

    /// <summary>Checks the placement against the job's shard layout and worker count.</summary>
    public void Validate(TrainingJob job, ShardLayout layout)
    {
        if (Shards.Count != layout.Count)
            throw new ArgumentException($"The placement puts {Shards.Count} shards but the job's layout has {layout.Count} " +
                                        $"(MaxShardElements {job.MaxShardElements}); build the placement with shardCount = {layout.Count}.");
        if (Workers.Count != job.Workers)
            throw new ArgumentException($"The placement puts {Workers.Count} workers but the job has {job.Workers}; give one node per worker.");
        foreach (var a in Shards.Append(Coordinator).Concat(Workers))
            if (a.HasLocalScope)
                throw new ArgumentException($"{a} is a local-only address; every node of a distributed run needs remoting (ct.tcp://system@host:port).");
    }
}

/// <summary>
/// Starts this node's part of a distributed run. Design: no remote deployment; each node starts its own actors
/// locally from the shared job and placement, and refers to the others by path (remote refs). The coordinator
/// watches every shard and worker over the network and starts the workers with <see cref="BeginTraining"/>
/// once asked to <see cref="StartRun"/>. Start every node before asking the coordinator to run.
/// </summary>
public static class TrainingNodes
{
    public const string CoordinatorName = "coordinator";

    public static string ShardName(int index) => $"ps-{index}";

    public static string PathOf(Address node, string actorName) => $"{node}/user/{actorName}";

    /// <summary>What <see cref="Start"/> created on one node.</summary>
    public sealed record StartedActors(IActorRef? Coordinator, IReadOnlyList<IActorRef> Shards, IReadOnlyList<IActorRef> Workers);

    /// <summary>
    /// Registers the training protocol on <paramref name="system"/> and starts the actors the placement puts on
    /// it: shards (initial values from the job's seed), workers (pointed at the remote shards and coordinator)
    /// and the coordinator (pointed at every shard and worker).
    /// </summary>
    public static StartedActors Start(ActorSystem system, TrainingJob job, TrainingPlacement placement)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(placement);
        job.Validate();
        var remoting = Remoting.Get(system);
        TrainingProtocol.Register(remoting.Registry);
        float[] initial = job.InitialParameters();
        var layout = job.Layout(initial.Length);
        placement.Validate(job, layout);
        var self = remoting.Address;
        var workerIds = Enumerable.Range(0, job.Workers).Select(TrainingJob.WorkerName).ToArray();

        var shards = new List<IActorRef>();
        foreach (var spec in layout.Shards)
        {
            if (placement.Shards[spec.Index] != self) continue;
            float[] slice = initial.AsSpan((int)spec.Offset, (int)spec.Length).ToArray();
            shards.Add(system.ActorOf(Props.CreateBy(() => new ParameterServerActor(spec, slice, job.Optimizer, job.Policy, workerIds)),
                ShardName(spec.Index)));
        }

        IActorRef? coordinator = null;
        if (placement.Coordinator == self)
        {
            var members = new RunMembers(layout.Shards.Select(s => PathOf(placement.Shards[s.Index], ShardName(s.Index))).ToArray(),
                placement.Workers.Select((node, i) => PathOf(node, workerIds[i])).ToArray());
            coordinator = system.ActorOf(Props.CreateBy(() => new CoordinatorActor(job, members)), CoordinatorName);
        }

        // Shards and coordinator of this node exist by now, so local paths resolve to the live actors.
        var shardRefs = layout.Shards.Select(s => (s, remoting.ActorFor(PathOf(placement.Shards[s.Index], ShardName(s.Index))))).ToArray();
        var coordinatorRef = remoting.ActorFor(PathOf(placement.Coordinator, CoordinatorName));
        var workers = new List<IActorRef>();
        for (int i = 0; i < job.Workers; i++)
        {
            if (placement.Workers[i] != self) continue;
            int index = i;
            workers.Add(system.ActorOf(Props.CreateBy(() => new WorkerActor(index, job, shardRefs, coordinatorRef)).WithPinnedThread(), workerIds[i]));
        }
        return new StartedActors(coordinator, shards, workers);
    }
}

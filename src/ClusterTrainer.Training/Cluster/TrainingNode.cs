using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Cluster;
using ClusterTrainer.Actors.Persistence;
using ClusterTrainer.Actors.Remote;
using ClusterTrainer.Actors.Sharding;
using ClusterTrainer.Actors.Singleton;
using ClusterTrainer.Persistence.Sql.Checkpoints;
using ClusterTrainer.Persistence.Sql.Postgres;
using ClusterTrainer.Persistence.Sql.Sqlite;
using ClusterTrainer.Training.Control;

namespace ClusterTrainer.Training.Cluster;

/// <summary>
/// Starts a node of the training cluster: an actor system with remoting and cluster membership, the journal,
/// snapshot and checkpoint stores of <see cref="NodeOptions.Store"/>, and per role:
/// <code>
///   every node   shard region proxy "ps", coordinator singleton proxy, control plane (events relay)
///   coordinator  ClusterSingletonManager of the RunCoordinator (persistent; moves to the oldest coordinator node)
///   ps           shard region hosting ShardEntity (parameter shards), the sharding coordinator
///   worker       WorkerHost at /user/worker (registers with the coordinator, runs RunWorkers)
/// </code>
/// Every node of a cluster must use the same secret, store and checkpoint directory (shared storage).
/// </summary>
public static class TrainingNode
{
    /// <summary>
    /// Cluster timing for training clusters: a dead node is found unreachable in about 2.5–3 s and downed 1.5 s later,
    /// so a killed coordinator's run trains again within about 10 s (bench cluster's resume_s). A node silent for
    /// 2.5 s is suspected: a training process must not stall its heartbeats that long (GC, swapping).
    /// </summary>
    public static ClusterSettings DefaultClusterSettings { get; } = new()
    {
        HeartbeatInterval = TimeSpan.FromMilliseconds(400),
        FailureDetector = FailureDetectorSettings.Default with
        {
            AcceptableHeartbeatPause = TimeSpan.FromMilliseconds(2500),
            FirstHeartbeatEstimate = TimeSpan.FromMilliseconds(400),
        },
        GossipInterval = TimeSpan.FromMilliseconds(250),
        LeaderActionsInterval = TimeSpan.FromMilliseconds(250),
        UnreachableReaperInterval = TimeSpan.FromMilliseconds(200),
        StableAfter = TimeSpan.FromMilliseconds(1500),
        ShutdownAfterDowned = TimeSpan.FromMilliseconds(500),
    };

    /// <summary>
    /// Starts the actor system with remoting on <see cref="NodeOptions.Host"/>:<see cref="NodeOptions.Port"/>, joins
    /// the seeds (or forms a cluster of its own when there are none), and starts what the roles ask for.
    /// Throws <see cref="ArgumentException"/> for bad options.
    /// </summary>
    public static Task<ITrainingNode> StartAsync(NodeOptions options, INodeLog? log, CancellationToken ct) =>
        StartAsync(options, log, DefaultClusterSettings, ct);

    public static async Task<ITrainingNode> StartAsync(NodeOptions options, INodeLog? log, ClusterSettings clusterSettings, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        ct.ThrowIfCancellationRequested();
        if (options.Threads > 0) Torch.torch.set_num_threads(options.Threads);
        var seeds = options.Seeds.Select(NodeAddress.Parse).ToList();
        var system = ActorSystem.Create(NodeOptions.SystemName, new ActorSystemOptions { LogSink = log, TerminateOnSigterm = false, ShutdownPhaseTimeout = ShutdownPhaseTimeout }
            .WithRemoting(new RemoteSettings { Host = options.Host, PublicHost = options.PublicHost, Port = options.Port, Secret = options.Secret }));
        try
        {
            var remoting = Remoting.Get(system);
            RuntimeProtocol.Register(remoting.Registry);
            var (plugins, store) = OpenStores(options.Store, new RegistryEventSerializer(remoting.Registry));
            await store.InitializeAsync(ct).ConfigureAwait(false);
            PersistenceExtension.Configure(system, plugins);

            var self = new NodeAddress(NodeOptions.SystemName, remoting.Address.Host!, remoting.Address.Port!.Value);
            var cluster = Actors.Cluster.Cluster.Get(system, clusterSettings with { SeedNodes = seeds.Count > 0 ? seeds : [self], Roles = options.Roles.ToArray() });
            var checkpointRoot = Path.GetFullPath(options.CheckpointDir);
            var region = ClusterSharding.Get(system).Start(ShardEntity.TypeName, Props.CreateBy(() => new ShardEntity(checkpointRoot)),
                new ClusterShardingSettings { Role = "ps", PassivateIdleAfter = null, RebalanceThreshold = 1_000_000 }, new ShardIndexExtractor());
            if (options.Roles.Contains("coordinator"))
            {
                var settings = new CoordinatorSettings(checkpointRoot, store, options.DataDir, region);
                system.ActorOf(ClusterSingletonManager.Props(Props.CreateBy(() => new RunCoordinator(settings)),
                    new ClusterSingletonManagerSettings { SingletonName = RunCoordinator.SingletonName, Role = "coordinator", RemovalMargin = TimeSpan.FromSeconds(1) }),
                    "coordinator");
            }
            var proxy = system.ActorOf(ClusterSingletonProxy.Props("/user/coordinator",
                new ClusterSingletonProxySettings { SingletonName = RunCoordinator.SingletonName, Role = "coordinator" }), "coordinator-proxy");
            if (options.Roles.Contains("worker"))
                system.ActorOf(Props.CreateBy(() => new WorkerHost(proxy, options.DataDir)), WorkerHost.Name);
            if (options.Roles.Contains("ps") || options.Roles.Contains("coordinator")) AddHandOver(system, proxy, remoting.Address.ToString());
            var control = new NodeControlPlane(system, proxy, store, checkpointRoot);
            cluster.JoinSeedNodes();
            return new Node(system, remoting.Address.ToString(), control);
        }
        catch
        {
            await system.Terminate().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// How long one phase of a node's coordinated shutdown may take. A leaving ps or coordinator node's first phase waits for the
    /// active run to end its generation a step or two later and checkpoint (and, at an epoch end, validate).
    /// Orchestrators must allow a graceful stop this long (the k8s ps pods have 120 s).
    /// </summary>
    public static readonly TimeSpan ShutdownPhaseTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A leaving ps or coordinator node asks the coordinator to checkpoint the active run before the shard region
    /// hands the node's shards off and the singleton moves, so the other nodes take over from a checkpoint of the
    /// current step and no step is lost. The coordinator answers at once when the node holds neither the singleton
    /// nor a shard of the run. Without an answer in time (no coordinator, a very long segment) the hand-off goes on
    /// and the run rolls back to its last checkpoint, as after a crash.
    /// </summary>
    private static void AddHandOver(ActorSystem system, IActorRef coordinator, string self) =>
        system.CoordinatedShutdown.AddTask(CoordinatedShutdown.Phases.BeforeClusterShutdown, "checkpoint-before-hand-over", async ct =>
        {
            // No coordinator node in the cluster (the whole cluster is going down): nobody to ask, nothing to lose.
            if (!Actors.Cluster.Cluster.Get(system).State.Members.Any(m => m.HasRole("coordinator") && m.Status == MemberStatus.Up)) return;
            try
            {
                var ok = await coordinator.Ask<NodeMayLeave>(new NodeLeaving(self), ShutdownPhaseTimeout - TimeSpan.FromSeconds(2), ct);
                system.Log.Info(ok.RunId is null
                    ? "No run needs this node; leaving."
                    : $"Run {ok.RunId} is checkpointed at step {ok.Step}; handing this node's part over.");
            }
            catch (Exception e) when (e is AskTimeoutException or OperationCanceledException or TimeoutException)
            {
                system.Log.Warning("The coordinator did not checkpoint the active run in time; leaving anyway " +
                                   "(the run rolls back to its last checkpoint).");
            }
        });

    /// <summary>The journal, snapshot store and checkpoint store of a <c>sqlite:PATH</c> or <c>postgres:CONNECTION</c> store string.</summary>
    public static (PersistencePlugins Plugins, ICheckpointStore Checkpoints) OpenStores(string store, IEventSerializer serializer)
    {
        if (store.StartsWith("sqlite:", StringComparison.Ordinal))
        {
            var path = store["sqlite:".Length..];
            var dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
            var settings = new SqliteStoreSettings { DataSource = path };
            return (new PersistencePlugins(new SqliteJournal(settings), new SqliteSnapshotStore(settings), serializer), new SqliteCheckpointStore(path));
        }
        if (store.StartsWith("postgres:", StringComparison.Ordinal))
        {
            var settings = new PostgresStoreSettings { ConnectionString = store["postgres:".Length..] };
            var database = new PostgresDatabase(settings.ConnectionString, settings.Schema);
            return (new PersistencePlugins(new PostgresJournal(database, settings), new PostgresSnapshotStore(database, settings), serializer),
                new PostgresCheckpointStore(database));
        }
        throw new ArgumentException($"Store '{store}' is neither 'sqlite:PATH' nor 'postgres:CONNECTION-STRING'.");
    }

    /// <summary>Throws one <see cref="ArgumentException"/> listing every problem of <paramref name="o"/>.</summary>
    public static void Validate(NodeOptions o)
    {
        var problems = new List<string>();
        if (string.IsNullOrEmpty(o.Secret)) problems.Add("Secret: required; every node of the cluster shares it (e.g. --secret or CLUSTERTRAINER_NODE__SECRET).");
        if (o.Port is < 0 or > 65535) problems.Add($"Port: {o.Port} is not a TCP port (0..65535; 0 picks a free one).");
        if (o.Roles.Count == 0) problems.Add($"Roles: at least one of {string.Join(", ", NodeOptions.KnownRoles)}.");
        foreach (var r in o.Roles.Where(r => !NodeOptions.KnownRoles.Contains(r)))
            problems.Add($"Roles: '{r}' is not a role; use {string.Join(", ", NodeOptions.KnownRoles)}.");
        foreach (var s in o.Seeds.Where(s => !NodeAddress.TryParse(s, out var a) || a!.System != NodeOptions.SystemName))
            problems.Add($"Seeds: '{s}' is not a node address like ct.tcp://{NodeOptions.SystemName}@host:4053.");
        if (!o.Store.StartsWith("sqlite:", StringComparison.Ordinal) && !o.Store.StartsWith("postgres:", StringComparison.Ordinal))
            problems.Add($"Store: '{o.Store}' must start with 'sqlite:' (a file) or 'postgres:' (a connection string).");
        if (o.Device is not ("auto" or "cpu" or "cuda")) problems.Add($"Device: '{o.Device}' is not auto, cpu or cuda.");
        if (o.Threads < 0) problems.Add($"Threads: {o.Threads} must be >= 0 (0 = as many as cores).");
        if (problems.Count > 0) throw new ArgumentException("Invalid node settings:\n  " + string.Join("\n  ", problems));
    }

    /// <summary>Entity "{runId}-{index}" lives in shard "{index}": shard i of every run is placed the same way.</summary>
    private sealed class ShardIndexExtractor : IMessageExtractor
    {
        public string? EntityId(object message) => message is ShardingEnvelope e ? e.EntityId : null;
        public string ShardId(string entityId) => entityId[(entityId.LastIndexOf('-') + 1)..];
        public object EntityMessage(object message) => message is ShardingEnvelope e ? e.Message : message;
    }

    /// <summary>
    /// A started node. Leaving runs the actor system's coordinated shutdown: shard regions hand their shards off, the
    /// node leaves the cluster (the coordinator singleton moves to the next oldest coordinator node), then it stops.
    /// </summary>
    private sealed class Node(ActorSystem system, string address, NodeControlPlane control) : ITrainingNode
    {
        public string Address { get; } = address;
        public IControlPlane Control => control;
        public ActorSystem System => system;
        public Task WhenTerminated => system.WhenTerminated;

        public async Task LeaveAsync(CancellationToken ct)
        {
            await system.Terminate().WaitAsync(ct).ConfigureAwait(false);
            control.Dispose();
        }

        public async ValueTask DisposeAsync()
        {
            await system.Terminate().ConfigureAwait(false);
            control.Dispose();
        }
    }
}

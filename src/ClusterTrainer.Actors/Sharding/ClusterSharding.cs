using System.Collections.Concurrent;
using ClusterTrainer.Actors.Cluster;
using ClusterTrainer.Actors.Singleton;

namespace ClusterTrainer.Actors.Sharding;

/// <summary>
/// Cluster sharding, after Akka's <c>ClusterSharding.Get(system)</c>:
/// <code>
///   var region = ClusterSharding.Get(system).Start("ps", Props.Create&lt;ParameterServer&gt;(), settings, extractor);
///   region.Tell(new ShardingEnvelope("shard-7", new Push(...)));
/// </code>
/// Call <see cref="Start"/> with the same type name on every node (a node without the settings' role
/// gets a proxy region), or <see cref="StartProxy"/> on nodes that only send. The shard coordinator
/// runs as a cluster singleton on the oldest node with the role. On coordinated shutdown
/// (<c>system.Terminate()</c>) a region first hands its shards over to the other nodes.
/// The coordinator journals where shards live through the stores of
/// <c>PersistenceExtension.Configure(system, ...)</c> (configure the same shared journal on every node, e.g.
/// the SQL journal, before <see cref="Start"/>), so a coordinator that moves recovers them. Without that
/// configuration sharding still works: the coordinator keeps its state in memory and a new one rebuilds it
/// from the regions' reports.
/// </summary>
public sealed class ClusterSharding
{
    private readonly ActorSystem _system;
    private readonly ConcurrentDictionary<string, IActorRef> _regions = new();

    private ClusterSharding(ActorSystem system) => _system = system;

    public static ClusterSharding Get(ActorSystem system) => system.RegisterExtension(sys => new ClusterSharding(sys));

    public IActorRef Start(string typeName, Props entityProps, ClusterShardingSettings settings, IMessageExtractor extractor,
        IShardAllocationStrategy? allocationStrategy = null)
    {
        settings.Validate();
        var cluster = Cluster.Cluster.Get(_system);
        ShardingCodecs.Register(cluster.Remoting.Registry);
        var hosts = settings.Role is null || cluster.Settings.Roles.Contains(settings.Role);
        return StartRegion(typeName, hosts ? entityProps : null, settings, extractor,
            allocationStrategy ?? new LeastShardAllocationStrategy(settings.RebalanceThreshold, settings.MaxSimultaneousRebalance), hosts);
    }

    /// <summary>A region that hosts nothing and routes to the regions of nodes with <paramref name="role"/>.</summary>
    public IActorRef StartProxy(string typeName, string? role, IMessageExtractor extractor)
    {
        ShardingCodecs.Register(Cluster.Cluster.Get(_system).Remoting.Registry);
        return StartRegion(typeName, null, new ClusterShardingSettings { Role = role }, extractor, null, startCoordinator: false);
    }

    /// <summary>
    /// Props of a shard coordinator for <paramref name="typeName"/>, outside the cluster singleton that
    /// <see cref="Start"/> runs it in (tests and tools). It journals under
    /// <see cref="CoordinatorPersistence.PersistenceId"/> with the stores configured for the system.
    /// </summary>
    public static Props CoordinatorProps(string typeName, ClusterShardingSettings settings, IShardAllocationStrategy strategy)
    {
        ActorPath.ValidateName(typeName);
        settings.Validate();
        ArgumentNullException.ThrowIfNull(strategy);
        return Props.CreateBy(() => new ShardCoordinator(typeName, settings, strategy));
    }

    /// <summary>The region started for <paramref name="typeName"/> on this node.</summary>
    public IActorRef ShardRegion(string typeName) => _regions.TryGetValue(typeName, out var r) ? r
        : throw new InvalidOperationException($"No shard region for '{typeName}' on this node; call ClusterSharding.Get(system).Start(\"{typeName}\", ...) first.");

    private IActorRef StartRegion(string typeName, Props? entityProps, ClusterShardingSettings settings, IMessageExtractor extractor,
        IShardAllocationStrategy? strategy, bool startCoordinator)
    {
        ActorPath.ValidateName(typeName);
        return _regions.GetOrAdd(typeName, _ =>
        {
            var managerName = $"sharding-{typeName}-coordinator";
            if (startCoordinator)
                _system.SystemActorOf(ClusterSingletonManager.Props(
                    Props.CreateBy(() => new ShardCoordinator(typeName, settings, strategy!)),
                    new ClusterSingletonManagerSettings { SingletonName = "coordinator", Role = settings.Role, RemovalMargin = settings.RetryInterval * 2 }),
                    managerName);
            var region = _system.SystemActorOf(Props.CreateBy(() =>
                new ShardRegion(typeName, entityProps, settings, extractor, $"/system/{managerName}")), $"sharding-{typeName}");
            if (entityProps is not null)
                _system.CoordinatedShutdown.AddTask(CoordinatedShutdown.Phases.ClusterShardingShutdownRegion, $"hand-off-{typeName}",
                    ct => region.Ask<Sharding.ShardRegion.Done>(Sharding.ShardRegion.StartGracefulShutdown.Instance, settings.HandOffTimeout, ct));
            return region;
        });
    }
}

using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Cluster;
using ClusterTrainer.Actors.Remote;

namespace ClusterTrainer.TestKit.MultiNode;

/// <summary>What a multi-node spec declares: its roles (one node each), the cluster secret and settings.</summary>
public sealed record MultiNodeConfig
{
    public required IReadOnlyList<string> Roles { get; init; }
    public string Secret { get; init; } = "multi-node-spec-secret";
    /// <summary>Cluster settings per role; seeds are filled in by the harness (the first role is the first seed) unless set.</summary>
    public Func<string, ClusterSettings> ClusterSettings { get; init; } = _ => Actors.Cluster.ClusterSettings.ForTests();
    public TimeSpan BarrierTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Join the nodes into a cluster when the spec starts (else call <see cref="NodeContext.Cluster"/>.JoinSeedNodes yourself).</summary>
    public bool AutoJoin { get; init; } = true;
    /// <summary>
    /// The assembly whose Main dispatches <c>node-host</c> to <see cref="NodeHost.RunAsync"/> (usually the
    /// test assembly: <c>typeof(MySpec).Assembly.Location</c>); needed only for process nodes.
    /// </summary>
    public string? NodeHostAssembly { get; init; }
}

/// <summary>
/// A multi-node spec in one process: each role is a real actor system with remoting on its own
/// loopback port. <see cref="RunAsync"/> runs the same script concurrently on every node, as
/// Akka's multi-node specs do; inside it <c>RunOn</c> picks roles, <c>EnterBarrier</c> waits for all,
/// and the spec injects faults between nodes through the remote transport.
/// <code>
///   await using var spec = await MultiNodeSpec.StartAsync(new() { Roles = ["first", "second", "third"] });
///   await spec.RunAsync(async node =>
///   {
///       await node.AwaitMembersUp(3, TimeSpan.FromSeconds(30));
///       await node.EnterBarrier("cluster-up");
///       await node.RunOn(() => spec.Blackhole("first", "third"), "first");
///       ...
///   });
/// </code>
/// </summary>
public sealed class MultiNodeSpec : IAsyncDisposable
{
    private readonly Dictionary<string, ActorSystem> _systems = new();
    private readonly BarrierCoordinator _barriers;

    private MultiNodeSpec(MultiNodeConfig config)
    {
        Config = config;
        _barriers = new BarrierCoordinator(config.Roles);
    }

    public MultiNodeConfig Config { get; }
    public IReadOnlyList<string> Roles => Config.Roles;

    public static async Task<MultiNodeSpec> StartAsync(MultiNodeConfig config)
    {
        if (config.Roles.Count == 0 || config.Roles.Distinct().Count() != config.Roles.Count)
            throw new ArgumentException("A multi-node spec needs at least one role and role names must be unique.");
        var spec = new MultiNodeSpec(config);
        foreach (var role in config.Roles) spec._systems[role] = NodeSystems.Create(config.Secret);
        if (config.AutoJoin)
        {
            var firstSeed = spec.Address(config.Roles[0]);
            foreach (var role in config.Roles)
            {
                var settings = config.ClusterSettings(role);
                if (settings.SeedNodes.Count == 0) settings = settings with { SeedNodes = [firstSeed] };
                Actors.Cluster.Cluster.Get(spec._systems[role], settings).JoinSeedNodes();
            }
        }
        await Task.CompletedTask;
        return spec;
    }

    public ActorSystem System(string role) => _systems.TryGetValue(role, out var s) ? s
        : throw new ArgumentException($"Unknown role '{role}'; this spec has {string.Join(", ", Roles)}.");

    public Actors.Cluster.Cluster Cluster(string role) => Actors.Cluster.Cluster.Get(System(role));

    public NodeAddress Address(string role) => NodeSystems.AddressOf(System(role));

    /// <summary>Runs <paramref name="script"/> on every node at once; fails with the first node's failure.</summary>
    public async Task RunAsync(Func<NodeContext, Task> script)
    {
        var runs = Roles.Select(r => Task.Run(() => script(new NodeContext(this, r)))).ToList();
        await Task.WhenAll(runs).ConfigureAwait(false);
    }

    internal Task EnterBarrier(string name, string role) => _barriers.EnterAsync(name, role, Await.Dilated(Config.BarrierTimeout));

    // ---- fault injection between two nodes (both directions) ----

    public void Blackhole(string a, string b) => SetFault(a, b, FaultMode.Blackhole, 0);
    public void PassThrough(string a, string b) => SetFault(a, b, FaultMode.PassThrough, 0);
    public void Throttle(string a, string b, long bytesPerSecond) => SetFault(a, b, FaultMode.Throttle, bytesPerSecond);

    private void SetFault(string a, string b, FaultMode mode, long bps)
    {
        NodeSystems.SetFault(System(a), Address(b), mode, bps);
        NodeSystems.SetFault(System(b), Address(a), mode, bps);
    }

    /// <summary>
    /// Abrupt exit of an in-process node: every peer drops its traffic at once (as if the machine lost
    /// power), then its system is terminated without leaving. For a real SIGKILL use a
    /// <see cref="NodeProcess"/>.
    /// </summary>
    public async Task ExitAbruptlyAsync(string role)
    {
        foreach (var other in Roles.Where(r => r != role && !System(r).WhenTerminated.IsCompleted))
        {
            NodeSystems.SetFault(System(other), Address(role), FaultMode.Disconnect, 0);
            NodeSystems.SetFault(System(role), Address(other), FaultMode.Disconnect, 0);
        }
        await Actors.Cluster.Cluster.Get(System(role)).TerminateWithoutLeavingAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Starts a cluster node in its own process (see <see cref="NodeHost"/>) that joins through the first
    /// role's node, and waits until it is listening. Kill it with <see cref="NodeProcess.KillAbruptly"/>.
    /// </summary>
    public async Task<NodeProcess> StartProcessNodeAsync(string name, string? secret = null, params string[] extraArgs)
    {
        var assembly = Config.NodeHostAssembly ?? throw new InvalidOperationException(
            "Process nodes need MultiNodeConfig.NodeHostAssembly: the test assembly whose Main runs NodeHost for 'node-host'.");
        var args = new List<string> { NodeHost.Command, "--secret", secret ?? Config.Secret, "--seed", Address(Roles[0]).ToString() };
        args.AddRange(extraArgs);
        var node = NodeProcess.Start(name, assembly, args);
        try
        {
            var ready = await node.WaitForLineAsync("READY ", TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            node.Address = NodeAddress.Parse(ready["READY ".Length..].Trim());
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return node;
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_systems.Values.Select(s => s.Terminate().WaitAsync(TimeSpan.FromSeconds(20))
            .ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
    }
}

/// <summary>The script's view of one node: its role, system and cluster, and the spec's verbs.</summary>
public sealed class NodeContext(MultiNodeSpec spec, string role)
{
    public MultiNodeSpec Spec { get; } = spec;
    public string Role { get; } = role;
    public ActorSystem System => Spec.System(Role);
    public Actors.Cluster.Cluster Cluster => Spec.Cluster(Role);

    public bool IsOn(params string[] roles) => roles.Contains(Role);

    public async Task RunOn(Func<Task> action, params string[] roles)
    {
        if (IsOn(roles)) await action().ConfigureAwait(false);
    }

    public Task RunOn(Action action, params string[] roles)
    {
        if (IsOn(roles)) action();
        return Task.CompletedTask;
    }

    public Task EnterBarrier(string name) => Spec.EnterBarrier(name, Role);

    public Task Within(TimeSpan max, Func<Task> block) => Await.WithinAsync(max, block, $"block on '{Role}'");

    public Task AwaitAssert(Action assertion, TimeSpan max) => Await.AssertAsync(assertion, max);

    /// <summary>Waits until this node sees exactly <paramref name="count"/> members, all Up.</summary>
    public Task AwaitMembersUp(int count, TimeSpan max) => AwaitAssert(() =>
    {
        var members = Cluster.State.Members;
        if (members.Count != count || members.Any(m => m.Status != MemberStatus.Up))
            throw new InvalidOperationException($"'{Role}' sees [{string.Join(", ", members)}], expected {count} members Up");
    }, max);
}

using ClusterTrainer.Actors.Remote;
using ClusterTrainer.Actors.Cluster;

namespace ClusterTrainer.Actors.Tests.Cluster;

/// <summary>
/// Several <see cref="ClusterEngine"/>s over a simulated network with a manual clock: messages arrive
/// after a fixed latency unless the link is blackholed or a node is dead. Fully deterministic.
/// </summary>
internal sealed class SimulatedCluster
{
    private sealed class Outbox(SimulatedCluster sim, NodeAddress self) : IClusterOutbox
    {
        public readonly List<IClusterDomainEvent> Events = [];
        public void Send(NodeAddress to, IClusterProtocolMessage message) => sim.Enqueue(self, to, message);
        public void Publish(IClusterDomainEvent e) => Events.Add(e);
    }

    private readonly Dictionary<NodeAddress, (ClusterEngine Engine, Outbox Outbox)> _nodes = new();
    private readonly PriorityQueue<(NodeAddress From, NodeAddress To, IClusterProtocolMessage Msg), (double, long)> _inFlight = new();
    private readonly HashSet<(NodeAddress, NodeAddress)> _blackholes = [];
    private readonly HashSet<NodeAddress> _dead = [];
    private long _seq;
    public double Now { get; private set; }
    public double LatencyMs { get; init; } = 2;
    public ClusterSettings Settings { get; init; } = ClusterSettings.ForTests();

    public static NodeAddress Addr(int port) => new("sim", "127.0.0.1", port);

    public ClusterEngine Start(int port, params string[] roles) => Start(port, Settings with { Roles = roles });

    public ClusterEngine Start(int port, ClusterSettings settings)
    {
        var addr = Addr(port);
        var outbox = new Outbox(this, addr);
        var engine = new ClusterEngine(new UniqueAddress(addr, port * 1000 + _nodes.Count), settings, outbox, randomSeed: port);
        _nodes[addr] = (engine, outbox);
        _dead.Remove(addr);
        engine.JoinSeedNodes(settings.SeedNodes, Now);
        return engine;
    }

    public ClusterEngine this[int port] => _nodes[Addr(port)].Engine;
    public IReadOnlyList<IClusterDomainEvent> EventsOf(int port) => _nodes[Addr(port)].Outbox.Events;

    public void Kill(int port) => _dead.Add(Addr(port));

    public void Blackhole(int a, int b) { _blackholes.Add((Addr(a), Addr(b))); _blackholes.Add((Addr(b), Addr(a))); }

    public void PassThrough(int a, int b) { _blackholes.Remove((Addr(a), Addr(b))); _blackholes.Remove((Addr(b), Addr(a))); }

    private void Enqueue(NodeAddress from, NodeAddress to, IClusterProtocolMessage msg)
    {
        if (_blackholes.Contains((from, to)) || !_nodes.ContainsKey(to)) return;
        _inFlight.Enqueue((from, to, msg), (Now + LatencyMs, _seq++));
    }

    /// <summary>Advances the clock in 50 ms ticks until <paramref name="condition"/> holds; returns the time it took.</summary>
    public double RunUntil(Func<bool> condition, double maxMs, string what)
    {
        var start = Now;
        while (!condition())
        {
            if (Now - start > maxMs) throw new TimeoutException($"simulated cluster: '{what}' not reached within {maxMs} ms of simulated time");
            Step(50);
        }
        return Now - start;
    }

    public void Run(double ms)
    {
        var end = Now + ms;
        while (Now < end) Step(50);
    }

    private void Step(double ms)
    {
        var end = Now + ms;
        while (_inFlight.TryPeek(out var m, out var at) && at.Item1 <= end)
        {
            _inFlight.Dequeue();
            Now = Math.Max(Now, at.Item1);
            if (_dead.Contains(m.To) || _dead.Contains(m.From)) continue;
            _nodes[m.To].Engine.Receive(m.From, m.Msg, Now);
        }
        Now = end;
        foreach (var (addr, n) in _nodes)
            if (!_dead.Contains(addr)) n.Engine.Tick(Now);
    }
}

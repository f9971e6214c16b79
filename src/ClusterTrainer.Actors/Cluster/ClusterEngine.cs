using ClusterTrainer.Actors.Remote;
using System.Collections.Immutable;

namespace ClusterTrainer.Actors.Cluster;

/// <summary>Where a <see cref="ClusterEngine"/> sends protocol messages and publishes events.</summary>
public interface IClusterOutbox
{
    void Send(NodeAddress to, IClusterProtocolMessage message);
    void Publish(IClusterDomainEvent @event);
}

/// <summary>
/// The membership protocol of one node as a deterministic state machine: joining through seeds,
/// heartbeats and failure detection, gossip, leader actions and split-brain downing. It does no I/O
/// and reads no clock: the owning actor (<c>ClusterDaemon</c>) feeds it messages and ticks with the
/// current time, and it answers through an <see cref="IClusterOutbox"/>. Tests drive several engines
/// over a simulated network with a manual clock. Not thread-safe.
/// <code>
///              Start()                 InitJoinAck / seed timeout            Welcome / self-join
///   Idle ----------------> Seeking ---------------------------> Joining ------------------------> Member
///                            ^   | retry after RetryUnsuccessfulJoinAfter  |                          |
///                            +---+-----------------------------------------+        removed from gossip|
///                                                                                                     v
///                                                                                                 Stopped
/// </code>
/// </summary>
public sealed partial class ClusterEngine
{
    private enum Phase { Idle, Seeking, Joining, Member, Stopped }

    private readonly ClusterSettings _settings;
    private readonly IClusterOutbox _outbox;
    private readonly Random _random;
    private readonly Dictionary<UniqueAddress, PhiAccrualFailureDetector> _detectors = new();
    private readonly StabilityTracker _stability = new();
    private Phase _phase = Phase.Idle;
    private IReadOnlyList<NodeAddress> _seeds = [];
    private NodeAddress? _joinTarget;
    private double _phaseSinceMs, _lastHeartbeatMs = double.MinValue, _lastGossipMs = double.MinValue,
        _lastLeaderMs = double.MinValue, _lastReaperMs = double.MinValue, _lastSeekMs = double.MinValue;
    private long _heartbeatSeq;

    public ClusterEngine(UniqueAddress self, ClusterSettings settings, IClusterOutbox outbox, int randomSeed = 0)
    {
        settings.Validate();
        Self = self;
        _settings = settings;
        _outbox = outbox;
        _random = new Random(randomSeed == 0 ? (int)(self.Uid ^ (self.Uid >> 32)) : randomSeed);
    }

    public UniqueAddress Self { get; }
    public Gossip Gossip { get; private set; } = Gossip.Empty;
    public Member? SelfMember => Gossip.GetMember(Self);
    public bool IsMember => _phase == Phase.Member;
    public bool IsStopped => _phase == Phase.Stopped;
    public NodeAddress? Leader => Gossip.LeaderOf(Self)?.Address;
    public CurrentClusterState State => ClusterEventDiff.State(Gossip, Self);

    /// <summary>Starts joining through <paramref name="seeds"/> (the settings' seeds when null).</summary>
    public void JoinSeedNodes(IReadOnlyList<NodeAddress>? seeds, double nowMs)
    {
        if (_phase != Phase.Idle) return;
        _seeds = seeds ?? _settings.SeedNodes;
        if (_seeds.Count == 0)
            throw new InvalidOperationException("No seed nodes: set ClusterSettings.SeedNodes (the first one forms the cluster) or call Join(address).");
        Enter(Phase.Seeking, nowMs);
        _lastSeekMs = double.MinValue;
        Seek(nowMs);
    }

    /// <summary>Joins the cluster that <paramref name="address"/> is a member of (itself: form a new cluster).</summary>
    public void Join(NodeAddress address, double nowMs)
    {
        if (_phase is Phase.Member or Phase.Stopped) return;
        if (address == Self.Address) { SelfJoin(nowMs); return; }
        _joinTarget = address;
        Enter(Phase.Joining, nowMs);
        _outbox.Send(address, new Join(Self, Roles));
    }

    private ImmutableSortedSet<string> Roles => _settings.Roles.ToImmutableSortedSet(StringComparer.Ordinal);

    private void SelfJoin(double nowMs)
    {
        Update(Gossip.Empty.Put(Member.Create(Self, _settings.Roles), Self));
        Enter(Phase.Member, nowMs);
    }

    private void Enter(Phase phase, double nowMs)
    {
        _phase = phase;
        _phaseSinceMs = nowMs;
    }

    private void Seek(double nowMs)
    {
        if (nowMs - _lastSeekMs < _settings.HeartbeatInterval.TotalMilliseconds) return;
        _lastSeekMs = nowMs;
        var others = _seeds.Where(s => s != Self.Address).ToList();
        if (_seeds[0] == Self.Address && (others.Count == 0 || nowMs - _phaseSinceMs >= _settings.SeedNodeTimeout.TotalMilliseconds))
        {
            SelfJoin(nowMs);
            return;
        }
        foreach (var seed in others) _outbox.Send(seed, new InitJoin(Self.Address));
    }

    /// <summary>Marks <paramref name="address"/> Leaving; the leader moves it on to Exiting and Removed.</summary>
    public void Leave(NodeAddress address)
    {
        if (_phase != Phase.Member || Gossip.GetMember(address) is not { } m) return;
        if (m.Status is MemberStatus.Joining or MemberStatus.Up) Update(Gossip.Put(m.WithStatus(MemberStatus.Leaving), Self));
    }

    /// <summary>Marks <paramref name="address"/> Down; the leader removes it, and a downed node shuts itself down.</summary>
    public void Down(NodeAddress address)
    {
        if (_phase != Phase.Member || Gossip.GetMember(address) is not { } m) return;
        if (m.Status is not (MemberStatus.Down or MemberStatus.Removed)) Update(Gossip.Put(m.WithStatus(MemberStatus.Down), Self));
    }

    /// <summary>Handles a protocol message from another node.</summary>
    public void Receive(NodeAddress from, IClusterProtocolMessage message, double nowMs)
    {
        if (_phase == Phase.Stopped) return;
        switch (message)
        {
            case InitJoin:
                if (_phase == Phase.Member && SelfMember is { Status: MemberStatus.Joining or MemberStatus.Up })
                    _outbox.Send(from, new InitJoinAck(Self.Address));
                break;
            case InitJoinAck ack:
                if (_phase == Phase.Seeking) Join(ack.From, nowMs);
                break;
            case Join join:
                OnJoin(join, from);
                break;
            case Welcome welcome:
                if (_phase == Phase.Joining && welcome.Gossip.HasMember(Self))
                {
                    Enter(Phase.Member, nowMs);
                    Update(welcome.Gossip.MarkSeen(Self));
                }
                break;
            case GossipEnvelope envelope:
                OnGossip(envelope, from);
                break;
            case Heartbeat hb:
                if (_phase == Phase.Member) _outbox.Send(from, new HeartbeatRsp(Self, hb.Sequence));
                break;
            case HeartbeatRsp rsp:
                if (_detectors.TryGetValue(rsp.From, out var fd)) fd.HeartBeat(nowMs);
                break;
        }
    }

    private void OnJoin(Join join, NodeAddress from)
    {
        if (_phase != Phase.Member || Gossip.Tombstones.Contains(join.Node)) return;
        if (Gossip.HasMember(join.Node))
        {
            _outbox.Send(from, new Welcome(Self, Gossip)); // our Welcome was lost; send it again
            return;
        }
        if (Gossip.GetMember(join.Node.Address) is { } previous)
        {
            // The node restarted on the same address: the old incarnation is gone. Down it; the
            // joiner retries and gets in once the leader has removed the old one.
            Down(previous.Address);
            return;
        }
        Update(Gossip.Put(new Member(join.Node, MemberStatus.Joining, join.Roles, int.MaxValue), Self));
        _outbox.Send(from, new Welcome(Self, Gossip));
    }

    private void OnGossip(GossipEnvelope envelope, NodeAddress from)
    {
        if (_phase != Phase.Member || envelope.To != Self) return;
        var remote = envelope.Gossip;
        // Gossip from a removed node must not pull it back in. (A downed node's gossip is still taken:
        // Down wins every merge, and its reachability records no longer count.)
        if (Gossip.Tombstones.Contains(envelope.From)) return;
        if (!remote.HasMember(envelope.From) && !remote.Tombstones.Contains(Self)) return;

        var merged = Gossip.Version.CompareTo(remote.Version) switch
        {
            VectorClockOrder.Same => Gossip.MergeSeen(remote),
            VectorClockOrder.Before => remote.MarkSeen(Self),
            VectorClockOrder.After => Gossip,
            _ => Gossip.Merge(remote).MarkSeen(Self),
        };
        Update(merged);
        if (_phase == Phase.Member && !Gossip.SeenBy(envelope.From))
            _outbox.Send(from, new GossipEnvelope(Self, envelope.From, Gossip));
    }

    /// <summary>Adopts a new gossip, publishes what changed, and stops when this node is gone from it.</summary>
    private void Update(Gossip next)
    {
        var before = Gossip;
        Gossip = next;
        foreach (var e in ClusterEventDiff.Diff(before, next, Self)) _outbox.Publish(e);
        if (_phase == Phase.Member && !next.HasMember(Self) && before.HasMember(Self))
            _phase = Phase.Stopped;
    }
}

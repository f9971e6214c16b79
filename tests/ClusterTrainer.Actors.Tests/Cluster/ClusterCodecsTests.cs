using ClusterTrainer.Actors.Serialization;
using ClusterTrainer.Actors.Remote;
using ClusterTrainer.Actors.Cluster;
using Xunit;
using static ClusterTrainer.Actors.Tests.Cluster.MembershipModelTests;

namespace ClusterTrainer.Actors.Tests.Cluster;

public sealed class ClusterCodecsTests
{
    private static Gossip SampleGossip()
    {
        var g = Gossip.Empty.Put(M(1, MemberStatus.Up, 1, "ps", "worker"), Node(1))
            .Put(M(2, MemberStatus.Leaving, 2), Node(2))
            .Put(M(3, MemberStatus.Joining), Node(1))
            .Put(M(4, MemberStatus.Down, 3), Node(1))
            .Remove(Node(4), Node(1));
        g = g.WithReachability(g.Reachability.Unreachable(Node(1), Node(2)), Node(1)).MarkSeen(Node(3));
        return g;
    }

    [Fact]
    public void Gossip_round_trips_every_field()
    {
        var g = SampleGossip();
        var w = new MessageWriter();
        ClusterCodecs.Write(w, new GossipEnvelope(Node(1), Node(2), g));
        var r = new MessageReader(w.WrittenSpan);
        var back = ClusterCodecs.ReadGossipEnvelope(ref r);
        Assert.True(r.End);
        Assert.Equal(Node(1), back.From);
        Assert.Equal(Node(2), back.To);
        Assert.Equal(g.Members.Values, back.Gossip.Members.Values);
        Assert.Equal(g.Seen, back.Gossip.Seen);
        Assert.Equal(g.Tombstones, back.Gossip.Tombstones);
        Assert.Equal(VectorClockOrder.Same, g.Version.CompareTo(back.Gossip.Version));
        Assert.Equal(g.Reachability.ToString(), back.Gossip.Reachability.ToString());
        Assert.False(back.Gossip.IsReachable(Node(2)));
    }

    [Fact]
    public void Small_messages_round_trip()
    {
        var w = new MessageWriter();
        ClusterCodecs.Write(w, new Join(Node(7, 99), ["a", "b"]));
        ClusterCodecs.Write(w, new Heartbeat(Node(3), 42));
        ClusterCodecs.Write(w, new InitJoin(Node(5).Address));
        var r = new MessageReader(w.WrittenSpan);
        var join = ClusterCodecs.ReadJoin(ref r);
        Assert.Equal(Node(7, 99), join.Node);
        Assert.Equal(["a", "b"], join.Roles);
        Assert.Equal(new Heartbeat(Node(3), 42), ClusterCodecs.ReadHeartbeat(ref r));
        Assert.Equal(new InitJoin(Node(5).Address), ClusterCodecs.ReadInitJoin(ref r));
        Assert.True(r.End);
    }

    [Fact]
    public void Corrupt_gossip_fails_cleanly_instead_of_allocating()
    {
        var w = new MessageWriter();
        ClusterCodecs.WriteGossip(w, SampleGossip());
        var bytes = w.WrittenSpan.ToArray();
        bytes[0] = 0xFF; bytes[1] = 0xFF; bytes[2] = 0xFF; bytes[3] = 0x7F; // member count 2^31-1
        Assert.ThrowsAny<Exception>(() => { var r = new MessageReader(bytes); ClusterCodecs.ReadGossip(ref r); });
        var truncated = w.WrittenSpan[..(w.WrittenSpan.Length / 2)].ToArray();
        Assert.ThrowsAny<Exception>(() => { var r = new MessageReader(truncated); ClusterCodecs.ReadGossip(ref r); });
    }
}

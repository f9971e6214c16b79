using ClusterTrainer.Actors.Remote;

namespace ClusterTrainer.Actors.Cluster;

/// <summary>
/// The order of node addresses that decides the leader and the winner of an even split: host
/// (ordinal), then port (numeric), then system name. The same on every node.
/// </summary>
public static class AddressOrdering
{
    public static int Compare(NodeAddress? a, NodeAddress? b)
    {
        if (ReferenceEquals(a, b)) return 0;
        if (a is null) return -1;
        if (b is null) return 1;
        var c = string.CompareOrdinal(a.Host, b.Host);
        if (c != 0) return c;
        c = a.Port.CompareTo(b.Port);
        return c != 0 ? c : string.CompareOrdinal(a.System, b.System);
    }

    public static IComparer<NodeAddress> Comparer { get; } = Comparer<NodeAddress>.Create((a, b) => Compare(a, b));
}

/// <summary>
/// A node address plus the uid of one incarnation of the actor system at that address, so that a node
/// restarted on the same host and port is a different member.
/// </summary>
public sealed record UniqueAddress(NodeAddress Address, long Uid) : IComparable<UniqueAddress>
{
    public int CompareTo(UniqueAddress? other)
    {
        if (other is null) return 1;
        var c = AddressOrdering.Compare(Address, other.Address);
        return c != 0 ? c : Uid.CompareTo(other.Uid);
    }

    public override string ToString() => $"{Address}#{Uid}";
}

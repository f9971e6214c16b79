namespace ClusterTrainer.Actors.Cluster;

/// <summary>
/// The network address of a cluster node, <c>ct.tcp://system@host:port</c>. Ordered by host, then
/// port, then system name: the order decides the leader and the winner of an even split.
/// </summary>
public sealed record NodeAddress(string System, string Host, int Port) : IComparable<NodeAddress>
{
    public const string Protocol = "ct.tcp";

    public int CompareTo(NodeAddress? other)
    {
        if (other is null) return 1;
        var c = string.CompareOrdinal(Host, other.Host);
        if (c != 0) return c;
        c = Port.CompareTo(other.Port);
        return c != 0 ? c : string.CompareOrdinal(System, other.System);
    }

    public override string ToString() => $"{Protocol}://{System}@{Host}:{Port}";

    /// <summary>Parses <c>ct.tcp://system@host:port</c>; throws with the expected shape on bad input.</summary>
    public static NodeAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        const string prefix = Protocol + "://";
        var at = text.IndexOf('@');
        var colon = text.LastIndexOf(':');
        if (!text.StartsWith(prefix, StringComparison.Ordinal) || at < 0 || colon < at
            || !int.TryParse(text.AsSpan(colon + 1), out var port) || port is < 0 or > 65535)
            throw new FormatException(
                $"'{text}' is not a node address; expected '{prefix}<system>@<host>:<port>', e.g. '{prefix}trainer@10.0.0.5:4053'.");
        return new NodeAddress(text[prefix.Length..at], text[(at + 1)..colon], port);
    }
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
        var c = Address.CompareTo(other.Address);
        return c != 0 ? c : Uid.CompareTo(other.Uid);
    }

    public override string ToString() => $"{Address}#{Uid}";
}

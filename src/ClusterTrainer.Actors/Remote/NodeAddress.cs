namespace ClusterTrainer.Actors.Remote;

/// <summary>
/// The address of one node's actor system on the network: <c>ct.tcp://system@host:port</c>.
/// Port 0 is only meaningful in settings (bind an ephemeral port); a started node always has its real port.
/// </summary>
public sealed record NodeAddress(string System, string Host, int Port)
{
    public const string Protocol = "ct.tcp";

    private int _hash;

    /// <summary>Copy for <c>with</c>: the cached hash must not travel to an address with other values.</summary>
    private NodeAddress(NodeAddress original)
    {
        System = original.System;
        Host = original.Host;
        Port = original.Port;
    }

    /// <summary>Cached: addresses key the per-message lookups of the transport.</summary>
    public override int GetHashCode() => _hash != 0 ? _hash : (_hash = HashCode.Combine(System, Host, Port) | 1);

    public bool Equals(NodeAddress? other) =>
        ReferenceEquals(this, other) || (other is not null && Port == other.Port && System == other.System && Host == other.Host);

    /// <summary><c>host:port</c>, the form used on the command line and in settings.</summary>
    public string HostPort => $"{Host}:{Port}";

    public override string ToString() => $"{Protocol}://{System}@{Host}:{Port}";

    /// <summary>Parses <c>ct.tcp://system@host:port</c>.</summary>
    public static NodeAddress Parse(string text)
    {
        if (TryParse(text, out var a)) return a!;
        throw new FormatException($"'{text}' is not a node address; expected {Protocol}://system@host:port, e.g. {Protocol}://trainer@10.0.0.5:4053.");
    }

    public static bool TryParse(string? text, out NodeAddress? address)
    {
        address = null;
        if (text is null || !text.StartsWith(Protocol + "://", StringComparison.Ordinal)) return false;
        string rest = text[(Protocol.Length + 3)..];
        int at = rest.IndexOf('@');
        if (at <= 0) return false;
        string system = rest[..at];
        if (!TryParseHostPort(rest[(at + 1)..], out string? host, out int port)) return false;
        address = new NodeAddress(system, host!, port);
        return true;
    }

    /// <summary>Splits <c>host:port</c> (IPv6 hosts in brackets).</summary>
    public static bool TryParseHostPort(string text, out string? host, out int port)
    {
        host = null; port = 0;
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1) return false;
        host = text[..colon].Trim('[', ']');
        return int.TryParse(text.AsSpan(colon + 1), out port) && port is >= 0 and <= 65535 && host.Length > 0;
    }
}

namespace ClusterTrainer.Actors;

/// <summary>
/// The location of an actor system: <c>ct://system</c> for a purely local system, or
/// <c>ct.tcp://system@host:port</c> once a remoting provider gives the system a network address.
/// </summary>
public sealed record Address(string Protocol, string System, string? Host = null, int? Port = null)
{
    /// <summary>Protocol of a system that is reachable only inside its own process.</summary>
    public const string LocalProtocol = "ct";

    /// <summary>Protocol of a system reachable over TCP remoting.</summary>
    public const string TcpProtocol = "ct.tcp";

    /// <summary>True when the address carries no host (a local-only system).</summary>
    public bool HasLocalScope => Host is null;

    public static Address Local(string system) => new(LocalProtocol, system);

    public override string ToString() =>
        Host is null ? $"{Protocol}://{System}" : $"{Protocol}://{System}@{Host}:{Port}";

    /// <summary>Parses <c>proto://system</c> or <c>proto://system@host:port</c>.</summary>
    public static Address Parse(string text)
    {
        if (!TryParse(text, out var address, out var error))
            throw new FormatException($"'{text}' is not an actor system address: {error}. Expected ct://system or ct.tcp://system@host:port.");
        return address;
    }

    internal static bool TryParse(string text, out Address address, out string error)
    {
        address = null!;
        var sep = text.IndexOf("://", StringComparison.Ordinal);
        if (sep <= 0) { error = "missing '<protocol>://'"; return false; }
        var protocol = text[..sep];
        var rest = text[(sep + 3)..];
        var at = rest.IndexOf('@');
        if (at < 0)
        {
            if (rest.Length == 0) { error = "missing system name"; return false; }
            address = new Address(protocol, rest);
            error = "";
            return true;
        }
        var system = rest[..at];
        var hostPort = rest[(at + 1)..];
        var colon = hostPort.LastIndexOf(':');
        if (system.Length == 0) { error = "missing system name"; return false; }
        if (colon <= 0 || !int.TryParse(hostPort[(colon + 1)..], out var port) || port is < 0 or > 65535)
        {
            error = "host must be followed by ':port' with a port between 0 and 65535";
            return false;
        }
        address = new Address(protocol, system, hostPort[..colon], port);
        error = "";
        return true;
    }
}

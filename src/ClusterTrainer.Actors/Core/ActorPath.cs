using System.Text;

namespace ClusterTrainer.Actors;

/// <summary>
/// Immutable path of an actor: an <see cref="Address"/> followed by name elements, e.g.
/// <c>ct.tcp://sys@10.0.0.1:4053/user/coordinator/worker-1</c>. Two paths are equal when address and
/// elements are equal; the <see cref="Uid"/> (incarnation) is not part of path equality, but it is part
/// of actor-ref equality so that a restarted-by-name actor is a different ref.
/// </summary>
public sealed class ActorPath : IEquatable<ActorPath>, IComparable<ActorPath>
{
    private readonly string[] _elements;
    private string? _cachedString;

    public ActorPath(Address address, IEnumerable<string> elements, long uid = 0)
    {
        Address = address;
        _elements = elements.ToArray();
        Uid = uid;
    }

    private ActorPath(Address address, string[] elements, long uid)
    {
        Address = address;
        _elements = elements;
        Uid = uid;
    }

    public Address Address { get; }
    public IReadOnlyList<string> Elements => _elements;
    /// <summary>Incarnation id; 0 means "any incarnation" (a path parsed from text).</summary>
    public long Uid { get; }
    public string Name => _elements.Length == 0 ? "" : _elements[^1];
    public bool IsRoot => _elements.Length == 0;
    public ActorPath Root => new(Address, Array.Empty<string>(), 0);

    public ActorPath Parent => _elements.Length == 0
        ? this
        : new ActorPath(Address, _elements[..^1], 0);

    public ActorPath Child(string name) => new(Address, [.. _elements, name], 0);
    public static ActorPath operator /(ActorPath path, string name) => path.Child(name);

    public ActorPath WithUid(long uid) => new(Address, _elements, uid);
    public ActorPath WithAddress(Address address) => new(address, _elements, Uid);

    /// <summary>"/user/a/b" (no address).</summary>
    public string ToStringWithoutAddress() => _elements.Length == 0 ? "/" : "/" + string.Join('/', _elements);

    public override string ToString() => _cachedString ??= Address + ToStringWithoutAddress();

    /// <summary>Full path text with the uid appended as <c>#uid</c> (as used on the wire).</summary>
    public string ToSerializationFormat() => Uid == 0 ? ToString() : ToString() + "#" + Uid;

    public static ActorPath Parse(string text)
    {
        if (!TryParse(text, out var path, out var error))
            throw new FormatException($"'{text}' is not an actor path: {error}. Expected e.g. ct://system/user/name or ct.tcp://system@host:port/user/name.");
        return path;
    }

    public static bool TryParse(string text, out ActorPath path) => TryParse(text, out path, out _);

    private static bool TryParse(string text, out ActorPath path, out string error)
    {
        path = null!;
        long uid = 0;
        var hash = text.IndexOf('#');
        if (hash >= 0)
        {
            if (!long.TryParse(text.AsSpan(hash + 1), out uid)) { error = "the part after '#' must be a numeric uid"; return false; }
            text = text[..hash];
        }
        var sep = text.IndexOf("://", StringComparison.Ordinal);
        if (sep <= 0) { error = "missing '<protocol>://'"; return false; }
        var slash = text.IndexOf('/', sep + 3);
        var addressText = slash < 0 ? text : text[..slash];
        if (!Address.TryParse(addressText, out var address, out error)) return false;
        var elements = slash < 0
            ? Array.Empty<string>()
            : text[(slash + 1)..].Split('/', StringSplitOptions.RemoveEmptyEntries);
        path = new ActorPath(address, elements, uid);
        error = "";
        return true;
    }

    /// <summary>
    /// Validates a user-chosen actor name: non-empty, no '/', not starting with '$' (reserved for
    /// generated names), only URI-safe characters.
    /// </summary>
    public static void ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
            throw new InvalidActorNameException("Actor name must not be empty; pass null to get a generated name.");
        if (name[0] == '$')
            throw new InvalidActorNameException($"Actor name '{name}' must not start with '$'; that prefix is reserved for generated names.");
        foreach (var c in name)
        {
            if (!IsValidChar(c))
                throw new InvalidActorNameException(
                    $"Actor name '{name}' contains '{c}'; use only letters, digits and -_.*+:@&=,!~;' (no '/', spaces or '#').");
        }
    }

    internal static bool IsValidChar(char c) =>
        c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9'
        || "-_.*$+:@&=,!~;'".IndexOf(c) >= 0;

    public bool Equals(ActorPath? other)
    {
        if (ReferenceEquals(this, other)) return true;
        if (other is null || other._elements.Length != _elements.Length || !Address.Equals(other.Address)) return false;
        for (var i = _elements.Length - 1; i >= 0; i--)
            if (!string.Equals(_elements[i], other._elements[i], StringComparison.Ordinal)) return false;
        return true;
    }

    public override bool Equals(object? obj) => obj is ActorPath p && Equals(p);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Address);
        foreach (var e in _elements) h.Add(e, StringComparer.Ordinal);
        return h.ToHashCode();
    }

    public int CompareTo(ActorPath? other) =>
        other is null ? 1 : string.CompareOrdinal(ToString(), other.ToString());

    public static bool operator ==(ActorPath? a, ActorPath? b) => a?.Equals(b) ?? b is null;
    public static bool operator !=(ActorPath? a, ActorPath? b) => !(a == b);
}

public sealed class InvalidActorNameException(string message) : ArgumentException(message);

namespace ClusterTrainer.Actors.Sharding;

/// <summary>
/// Tells sharding which entity a message is for, which shard that entity lives in, and what the
/// entity actually receives. Must be deterministic and the same on every node.
/// </summary>
public interface IMessageExtractor
{
    /// <summary>The entity id, or null when the message is not for an entity (it is then dropped, logged).</summary>
    string? EntityId(object message);
    string ShardId(string entityId);
    /// <summary>The message delivered to the entity (unwrapped from an envelope, or the message itself).</summary>
    object EntityMessage(object message);
}

/// <summary>An envelope addressed to one entity; unwrapped before delivery.</summary>
public sealed record ShardingEnvelope(string EntityId, object Message);

/// <summary>
/// Shard = a stable hash of the entity id modulo <see cref="MaxShards"/> (10x the planned number of
/// nodes is a good choice). Understands <see cref="ShardingEnvelope"/>; for other messages supply
/// <c>entityIdOf</c>.
/// </summary>
public sealed class HashCodeMessageExtractor : IMessageExtractor
{
    private readonly Func<object, string?>? _entityIdOf;

    public HashCodeMessageExtractor(int maxShards, Func<object, string?>? entityIdOf = null)
    {
        if (maxShards < 1) throw new ArgumentException($"maxShards must be >= 1 (was {maxShards}); about 10x the number of nodes works well.");
        MaxShards = maxShards;
        _entityIdOf = entityIdOf;
    }

    public int MaxShards { get; }

    public string? EntityId(object message) => message is ShardingEnvelope e ? e.EntityId : _entityIdOf?.Invoke(message);

    public object EntityMessage(object message) => message is ShardingEnvelope e ? e.Message : message;

    /// <summary>FNV-1a over the UTF-16 code units: stable across processes (string.GetHashCode is randomised).</summary>
    public string ShardId(string entityId)
    {
        uint h = 2166136261;
        foreach (var c in entityId) { h ^= c; h *= 16777619; }
        return (h % (uint)MaxShards).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

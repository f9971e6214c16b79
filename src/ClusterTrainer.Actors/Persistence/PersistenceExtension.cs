using System.Runtime.CompilerServices;

namespace ClusterTrainer.Actors.Persistence;

/// <summary>The stores and serializer persistent actors of one actor system use.</summary>
public sealed record PersistencePlugins(IJournal Journal, ISnapshotStore SnapshotStore, IEventSerializer Serializer)
{
    /// <summary>In-memory stores (tests, experiments): nothing survives the process.</summary>
    public static PersistencePlugins InMemory(IEventSerializer serializer) => new(new MemoryJournal(), new MemorySnapshotStore(), serializer);
}

/// <summary>
/// Attaches <see cref="PersistencePlugins"/> to an actor system (like Akka's Persistence extension, but
/// configured in code): <c>PersistenceExtension.Configure(system, new PersistencePlugins(journal, snapshots, serializer))</c>
/// before the first persistent actor starts.
/// </summary>
public static class PersistenceExtension
{
    private static readonly ConditionalWeakTable<ActorSystem, PersistencePlugins> Plugins = new();

    public static void Configure(ActorSystem system, PersistencePlugins plugins)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(plugins);
        Plugins.AddOrUpdate(system, plugins);
    }

    public static PersistencePlugins Get(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        return Plugins.TryGetValue(system, out var plugins)
            ? plugins
            : throw new InvalidOperationException(
                $"persistence is not configured for actor system '{system.Name}': call PersistenceExtension.Configure(system, " +
                "new PersistencePlugins(journal, snapshotStore, serializer)) before starting persistent actors");
    }
}

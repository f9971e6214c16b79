using System.Linq.Expressions;

namespace ClusterTrainer.Actors;

/// <summary>
/// Immutable recipe for creating an actor: how to construct it, which mailbox it gets and which
/// supervisor strategy it applies to its children. Restart calls the factory again.
/// </summary>
public sealed record Props
{
    private Props(Type actorType, Func<ActorBase> factory)
    {
        ActorType = actorType;
        Factory = factory;
    }

    public Type ActorType { get; }
    internal Func<ActorBase> Factory { get; }
    public MailboxOptions? Mailbox { get; init; }
    public SupervisorStrategy? SupervisorStrategy { get; init; }
    public int? StashCapacity { get; init; }

    /// <summary>True when the actor runs on a thread of its own instead of the shared thread pool.</summary>
    public bool PinnedThread { get; init; }

    /// <summary>Props for an actor with a public parameterless constructor.</summary>
    public static Props Create<T>() where T : ActorBase, new() => new(typeof(T), static () => new T());

    /// <summary>Props from a factory expression, e.g. <c>Props.Create(() => new Worker(id))</c>; the factory runs on every (re)start.</summary>
    public static Props Create<T>(Expression<Func<T>> factory) where T : ActorBase
    {
        ArgumentNullException.ThrowIfNull(factory);
        var compiled = factory.Compile();
        return new Props(typeof(T), () => compiled());
    }

    /// <summary>Props from a plain delegate (no expression compilation).</summary>
    public static Props CreateBy<T>(Func<T> factory) where T : ActorBase
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new Props(typeof(T), factory);
    }

    public Props WithMailbox(MailboxOptions mailbox) => this with { Mailbox = mailbox };
    public Props WithSupervisorStrategy(SupervisorStrategy strategy) => this with { SupervisorStrategy = strategy };

    /// <summary>
    /// Runs the actor on a dedicated thread (Akka's PinnedDispatcher): for long, compute-bound handlers and
    /// native libraries with per-thread state, such as a worker running libtorch. The thread starts with the
    /// first message and ends when the actor stops; a restart keeps it. Costs one OS thread per actor, so
    /// keep it for a few long-lived actors.
    /// </summary>
    public Props WithPinnedThread() => this with { PinnedThread = true };

    public Props WithStashCapacity(int capacity)
    {
        if (capacity < 1)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "Stash capacity must be at least 1.");
        return this with { StashCapacity = capacity };
    }

    internal ActorBase NewActor() => Factory();

    public override string ToString() => $"Props({ActorType.Name})";
}

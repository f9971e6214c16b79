namespace ClusterTrainer.Actors;

/// <summary>
/// System messages drive an actor's lifecycle. They travel in a separate queue of the mailbox and are
/// always processed before user messages, also while the actor is suspended. They are public so that
/// a remoting provider can carry <see cref="Watch"/>, <see cref="Unwatch"/> and
/// <see cref="DeathWatchNotification"/> between nodes and synthesize a notification when a node is lost.
/// </summary>
public interface ISystemMessage;

/// <summary><paramref name="Watcher"/> wants a notification when <paramref name="Watchee"/> stops.</summary>
public sealed record Watch(IInternalActorRef Watchee, IInternalActorRef Watcher) : ISystemMessage;

/// <summary>Cancels an earlier <see cref="Watch"/>.</summary>
public sealed record Unwatch(IInternalActorRef Watchee, IInternalActorRef Watcher) : ISystemMessage;

/// <summary>
/// Tells a watcher (or a parent) that <paramref name="Actor"/> has stopped. The watcher turns it into a
/// user-visible <see cref="Terminated"/> exactly once. A remote provider sends it with
/// <paramref name="AddressTerminated"/> = true for every remote watchee on a node declared down.
/// </summary>
public sealed record DeathWatchNotification(IActorRef Actor, bool ExistenceConfirmed, bool AddressTerminated) : ISystemMessage;

/// <summary>Stop the actor: children first, then PostStop, then watchers and parent are told.</summary>
public sealed record Terminate : ISystemMessage
{
    public static readonly Terminate Instance = new();
}

/// <summary>A child failed; its parent's supervisor strategy decides the directive.</summary>
public sealed record Failed(IActorRef Child, Exception Cause, long Uid) : ISystemMessage;

/// <summary>Resume a suspended actor, keeping its state.</summary>
public sealed record Resume(Exception? CausedByFailure) : ISystemMessage;

/// <summary>Restart the actor: a fresh instance, same mailbox (minus the failing message).</summary>
public sealed record Recreate(Exception Cause) : ISystemMessage;

/// <summary>Suspend processing of user messages (used while a failure is being handled).</summary>
public sealed record Suspend : ISystemMessage
{
    public static readonly Suspend Instance = new();
}

/// <summary>First message of every actor: construct the instance and run PreStart.</summary>
internal sealed record Create : ISystemMessage
{
    public static readonly Create Instance = new();
}

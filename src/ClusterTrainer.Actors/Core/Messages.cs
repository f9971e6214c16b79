namespace ClusterTrainer.Actors;

/// <summary>Marker for messages the runtime handles itself before the actor's receive sees them.</summary>
public interface IAutoReceivedMessage;

/// <summary>Stops the receiving actor once it reaches this message in its mailbox (ordered after earlier messages).</summary>
public sealed record PoisonPill : IAutoReceivedMessage
{
    public static readonly PoisonPill Instance = new();
}

/// <summary>Makes the receiving actor fail with <see cref="ActorKilledException"/>; its supervisor decides what happens.</summary>
public sealed record Kill : IAutoReceivedMessage
{
    public static readonly Kill Instance = new();
}

/// <summary>Asks any actor for its ref; every actor answers with <see cref="ActorIdentity"/>.</summary>
public sealed record Identify(object? MessageId) : IAutoReceivedMessage;

/// <summary>Answer to <see cref="Identify"/>; <see cref="Subject"/> is null when no actor lives at the path.</summary>
public sealed record ActorIdentity(object? MessageId, IActorRef? Subject);

/// <summary>
/// Delivered to a watcher once (exactly once per watch) when the watched actor has stopped.
/// <see cref="ExistenceConfirmed"/> is false when the actor never existed or its death could not be
/// confirmed; <see cref="AddressTerminated"/> is true when the whole remote node was declared lost.
/// </summary>
public sealed record Terminated(IActorRef ActorRef, bool ExistenceConfirmed, bool AddressTerminated);

/// <summary>A <see cref="Terminated"/> queued by death watch; delivered only if the watch is still active.</summary>
internal sealed record DeathWatchTerminated(Terminated Terminated) : IAutoReceivedMessage;

/// <summary>Sent to an actor that set <c>Context.SetReceiveTimeout</c> and received nothing for that long.</summary>
public sealed record ReceiveTimeout
{
    public static readonly ReceiveTimeout Instance = new();
}

/// <summary>Messages of types marked with this (e.g. heartbeats) do not reset an actor's receive timeout.</summary>
public interface INotInfluenceReceiveTimeout;

/// <summary>Conventional reply wrappers; a <see cref="Failure"/> reply to an Ask fails the ask's task.</summary>
public static class Status
{
    public sealed record Success(object? Status);
    public sealed record Failure(Exception Cause, object? State = null);
}

/// <summary>A message that could not be delivered, published on the event stream.</summary>
public sealed record DeadLetter(object Message, IActorRef Sender, IActorRef Recipient)
{
    public override string ToString() =>
        $"DeadLetter({Message.GetType().Name} from {Sender.Path} to {Recipient.Path})";
}

/// <summary>Published on the event stream when an actor did not handle a message.</summary>
public sealed record UnhandledMessage(object Message, IActorRef Sender, IActorRef Recipient);

/// <summary>Thrown inside an actor that received <see cref="Kill"/>.</summary>
public sealed class ActorKilledException(string message) : Exception(message);

/// <summary>Thrown when an actor does not handle a <see cref="Terminated"/> for an actor it watches.</summary>
public sealed class DeathPactException(IActorRef dead)
    : Exception($"Watched actor {dead.Path} terminated and the watcher did not handle Terminated.")
{
    public IActorRef DeadActor { get; } = dead;
}

/// <summary>Thrown when an actor failed during creation (constructor or PreStart).</summary>
public sealed class ActorInitializationException(IActorRef? actor, string message, Exception? cause)
    : Exception(message, cause)
{
    public IActorRef? Actor { get; } = actor;
}

/// <summary>Thrown when <c>ActorSelection.ResolveOne</c> finds nothing at the path.</summary>
public sealed class ActorNotFoundException(string message) : Exception(message);

/// <summary>Thrown when a bounded mailbox with <see cref="MailboxOverflowPolicy.Fail"/> is full.</summary>
public sealed class MailboxFullException(string message) : InvalidOperationException(message);

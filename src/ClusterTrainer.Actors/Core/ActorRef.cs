using System.Runtime.CompilerServices;

namespace ClusterTrainer.Actors;

/// <summary>
/// A handle to an actor, local or remote. Refs are compared by path and incarnation uid, so a ref to
/// a stopped actor never equals a ref to a new actor that was later created under the same name.
/// </summary>
public interface IActorRef : IEquatable<IActorRef>, IComparable<IActorRef>
{
    ActorPath Path { get; }

    /// <summary>Fire-and-forget send. <paramref name="sender"/> may be <see cref="ActorRefs.NoSender"/>.</summary>
    void Tell(object message, IActorRef? sender);
}

/// <summary>
/// The runtime's view of a ref. Remoting implements it for its RemoteActorRef so that the core can send
/// system messages (<see cref="Watch"/>, <see cref="Unwatch"/>, <see cref="DeathWatchNotification"/>)
/// through it without knowing where the actor lives.
/// </summary>
public interface IInternalActorRef : IActorRef
{
    IActorRefProvider Provider { get; }

    /// <summary>True when the actor lives in this process.</summary>
    bool IsLocal { get; }

    /// <summary>True once the actor is known to have stopped (always false for remote refs).</summary>
    bool IsTerminated { get; }

    void SendSystemMessage(ISystemMessage message);

    /// <summary>Asynchronously stops the actor (sends <see cref="Terminate"/>).</summary>
    void Stop();
}

public static class ActorRefs
{
    /// <summary>Use as sender when there is none; replies then go to dead letters.</summary>
    public static readonly IActorRef? NoSender = null;

    /// <summary>A ref that silently discards everything sent to it.</summary>
    public static IActorRef Nobody => Actors.Nobody.Instance;
}

public static class ActorRefExtensions
{
    /// <summary>
    /// Tell with the implicit sender: the current actor's Self inside an actor, the TestKit's TestActor in
    /// test code (see <see cref="ImplicitSender"/>), otherwise no sender.
    /// </summary>
    public static void Tell(this IActorRef receiver, object message) =>
        receiver.Tell(message, ImplicitSender.Current);

    /// <summary>Sends keeping the original sender of the message being processed.</summary>
    public static void Forward(this IActorRef receiver, object message)
    {
        var cell = ActorCell.Current ?? throw new InvalidOperationException(
            "Forward can only be used inside an actor's receive; use Tell(message, sender) elsewhere.");
        receiver.Tell(message, cell.Sender);
    }

    /// <summary>
    /// Number of user messages waiting in a local actor's mailbox (for monitoring and tests; the value is
    /// a snapshot). Throws for refs whose mailbox is not in this process.
    /// </summary>
    public static int MailboxCount(this IActorRef actorRef)
    {
        ArgumentNullException.ThrowIfNull(actorRef);
        return actorRef is LocalActorRef local
            ? local.Cell.Mailbox.Count
            : throw new NotSupportedException($"{actorRef.Path} is not a local actor; its mailbox length is not visible here.");
    }

    public static bool IsNobody(this IActorRef? actorRef) => actorRef is null or Nobody;
}

/// <summary>
/// Supplies the sender used by the one-argument Tell outside an actor. The TestKit sets it to its
/// TestActor for the test's async flow.
/// </summary>
public static class ImplicitSender
{
    private static readonly AsyncLocal<IActorRef?> AmbientSender = new();

    public static IActorRef? Current
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ActorCell.Current?.Self ?? AmbientSender.Value;
    }

    /// <summary>The sender set for the current async flow (null when none).</summary>
    public static IActorRef? Ambient => AmbientSender.Value;

    public static void SetAmbient(IActorRef? sender) => AmbientSender.Value = sender;
}

/// <summary>Base with path+uid equality used by every ref implementation.</summary>
public abstract class ActorRefBase : IInternalActorRef
{
    public abstract ActorPath Path { get; }
    public abstract IActorRefProvider Provider { get; }
    public abstract bool IsLocal { get; }
    public virtual bool IsTerminated => false;
    public abstract void Tell(object message, IActorRef? sender);
    public abstract void SendSystemMessage(ISystemMessage message);
    public virtual void Stop() => SendSystemMessage(Terminate.Instance);

    public bool Equals(IActorRef? other) =>
        other is not null && Path.Uid == other.Path.Uid && Path.Equals(other.Path);

    public override bool Equals(object? obj) => obj is IActorRef r && Equals(r);
    public override int GetHashCode() => HashCode.Combine(Path.Uid, Path);

    public int CompareTo(IActorRef? other)
    {
        if (other is null) return 1;
        var c = Path.CompareTo(other.Path);
        return c != 0 ? c : Path.Uid.CompareTo(other.Path.Uid);
    }

    public override string ToString() => Path.Uid == 0 ? $"[{Path}]" : $"[{Path}#{Path.Uid}]";
}

/// <summary>A ref that discards every message: the "no actor" value.</summary>
public sealed class Nobody : ActorRefBase
{
    public static readonly Nobody Instance = new();
    private static readonly ActorPath NobodyPath = new(Address.Local("all-systems"), ["Nobody"]);
    private Nobody() { }
    public override ActorPath Path => NobodyPath;
    public override IActorRefProvider Provider =>
        throw new NotSupportedException("Nobody does not belong to any actor system.");
    public override bool IsLocal => true;
    public override bool IsTerminated => true;
    public override void Tell(object message, IActorRef? sender) { }
    public override void SendSystemMessage(ISystemMessage message) { }
}

/// <summary>The ref behind every stopped or missing actor: publishes <see cref="DeadLetter"/>s.</summary>
internal sealed class DeadLetterActorRef(ActorSystem system, ActorPath path) : ActorRefBase
{
    public override ActorPath Path { get; } = path;
    public override IActorRefProvider Provider => system.Provider;
    public override bool IsLocal => true;
    public override void Tell(object message, IActorRef? sender)
    {
        // Nothing lives here: answer Identify like Akka does, so a (remote) ResolveOne fails fast.
        if (message is Identify identify && sender is not null) sender.Tell(new ActorIdentity(identify.MessageId, null), this);
        else system.DeadLetterOffice.Publish(message, sender, this);
    }

    public override void SendSystemMessage(ISystemMessage message) =>
        system.DeadLetterOffice.PublishSystem(message, this);
}

/// <summary>Ref to an actor in this process.</summary>
internal sealed class LocalActorRef : ActorRefBase
{
    internal readonly ActorCell Cell;

    public LocalActorRef(ActorCell cell, ActorPath path)
    {
        Cell = cell;
        Path = path;
    }

    public override ActorPath Path { get; }
    public override IActorRefProvider Provider => Cell.System.Provider;
    public override bool IsLocal => true;
    public override bool IsTerminated => Cell.IsTerminated;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public override void Tell(object message, IActorRef? sender) => Cell.Mailbox.Post(new Envelope(message, sender));

    public override void SendSystemMessage(ISystemMessage message) => Cell.Mailbox.PostSystem(message);
}

/// <summary>One message with its sender, as stored in a mailbox. A struct: no allocation per message.</summary>
public readonly record struct Envelope(object Message, IActorRef? Sender);

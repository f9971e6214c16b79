namespace ClusterTrainer.Actors.Remote;

/// <summary>
/// A ref to an actor on another node. Tell serializes the message and queues it on the association to
/// that node (never blocks); system messages (Watch/Unwatch/DeathWatchNotification) become remote
/// death-watch messages.
/// </summary>
public sealed class RemoteActorRef : ActorRefBase
{
    private readonly RemoteActorRefProvider _provider;

    internal RemoteActorRef(RemoteActorRefProvider provider, ActorPath path, NodeAddress node)
    {
        _provider = provider;
        Path = path;
        Node = node;
        WirePath = path.Uid == 0 ? path.ToStringWithoutAddress() : path.ToStringWithoutAddress() + "#" + path.Uid;
    }

    public override ActorPath Path { get; }
    public override IActorRefProvider Provider => _provider;
    public override bool IsLocal => false;

    /// <summary>The node the actor lives on.</summary>
    public NodeAddress Node { get; }

    /// <summary>The recipient as written in frames: the path without address, with <c>#uid</c> when known.</summary>
    internal string WirePath { get; }

    public override void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        _provider.SendRemote(this, message, sender);
    }

    public override void SendSystemMessage(ISystemMessage message) => _provider.Watcher.SystemMessageToRemote(this, message);
}

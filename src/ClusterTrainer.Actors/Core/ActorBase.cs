namespace ClusterTrainer.Actors;

/// <summary>A behaviour: returns true when it handled the message.</summary>
public delegate bool Receive(object message);

/// <summary>
/// What an actor sees of the runtime while it runs. Valid inside the actor (also after an await in a
/// <c>ReceiveAsync</c> handler, since the actor processes nothing else until the task completes).
/// </summary>
public interface IActorContext
{
    IActorRef Self { get; }
    /// <summary>Sender of the current message; dead letters when there was none.</summary>
    IActorRef Sender { get; }
    IActorRef Parent { get; }
    Props Props { get; }
    ActorSystem System { get; }
    IReadOnlyList<IActorRef> GetChildren();
    /// <summary>The child with that name, or null.</summary>
    IActorRef? Child(string name);
    IActorRef ActorOf(Props props, string? name = null);
    /// <summary>Stops a child or the actor itself (asynchronously).</summary>
    void Stop(IActorRef actor);
    IActorRef Watch(IActorRef subject);
    IActorRef Unwatch(IActorRef subject);
    /// <summary>Replaces the current behaviour.</summary>
    void Become(Receive receive);
    /// <summary>Pushes a behaviour; <see cref="UnbecomeStacked"/> pops it.</summary>
    void BecomeStacked(Receive receive);
    void UnbecomeStacked();
    /// <summary>Sends <see cref="ReceiveTimeout"/> after this much inactivity; null switches it off.</summary>
    void SetReceiveTimeout(TimeSpan? timeout);
    TimeSpan? ReceiveTimeout { get; }
    ActorSelection ActorSelection(string path);
    ILoggingAdapter GetLogger();
}

/// <summary>
/// Base of every actor. Lifecycle:
/// <code>
///   Create -> ctor -> PreStart -> (receive messages)* -> PostStop
///                         ^               | failure, directive Restart
///                         |               v
///           PostRestart (new instance) <- PreRestart (old instance; default stops children, PostStop)
/// </code>
/// </summary>
public abstract class ActorBase
{
    private readonly ActorCell _cell;

    protected ActorBase()
    {
        _cell = ActorCell.Current ?? throw new ActorInitializationException(null,
            $"{GetType().Name} was created with 'new'. Actors are created by the runtime: use system.ActorOf(Props.Create<{GetType().Name}>()) or Context.ActorOf(...).",
            null);
    }

    internal ActorCell Cell => _cell;

    // The runtime calls the protected hooks through these, so that overrides are plain 'protected'
    // everywhere (also in assemblies that see this one's internals).
    internal bool InvokeReceive(object message) => Receive(message);
    internal void InvokePreStart() => PreStart();
    internal void InvokePostStop() => PostStop();
    internal void InvokePreRestart(Exception reason, object? message) => PreRestart(reason, message);
    internal void InvokePostRestart(Exception reason) => PostRestart(reason);
    internal SupervisorStrategy? InvokeSupervisorStrategy() => SupervisorStrategy();
    internal void InvokeUnhandled(object message) => Unhandled(message);

    protected IActorContext Context => _cell;
    protected IActorRef Self => _cell.Self;
    protected IActorRef Sender => _cell.Sender;

    /// <summary>The initial behaviour.</summary>
    protected abstract bool Receive(object message);

    protected virtual void PreStart() { }
    protected virtual void PostStop() { }

    /// <summary>Runs on the failed instance before a restart. The default stops all children and calls PostStop.</summary>
    protected virtual void PreRestart(Exception reason, object? message)
    {
        foreach (var child in Context.GetChildren()) Context.Stop(child);
        PostStop();
    }

    /// <summary>Runs on the fresh instance after a restart. The default calls PreStart.</summary>
    protected virtual void PostRestart(Exception reason) => PreStart();

    /// <summary>Strategy applied to this actor's children; null uses Props' strategy or the default.</summary>
    protected virtual SupervisorStrategy? SupervisorStrategy() => null;

    /// <summary>
    /// Called for messages no behaviour handled. An unhandled <see cref="Terminated"/> fails the actor with
    /// <see cref="DeathPactException"/>; anything else is published as <see cref="UnhandledMessage"/>.
    /// </summary>
    protected virtual void Unhandled(object message)
    {
        if (message is Terminated t) throw new DeathPactException(t.ActorRef);
        _cell.System.EventStream.Publish(new UnhandledMessage(message, Sender, Self));
        _cell.Log.Debug($"Unhandled message {message.GetType().Name} from {Sender.Path}");
    }
}

/// <summary>Actor whose behaviour is one method.</summary>
public abstract class UntypedActor : ActorBase
{
    protected sealed override bool Receive(object message)
    {
        OnReceive(message);
        return true;
    }

    protected abstract void OnReceive(object message);

    protected void Become(Action<object> receive) => Context.Become(m => { receive(m); return true; });
    protected void BecomeStacked(Action<object> receive) => Context.BecomeStacked(m => { receive(m); return true; });
    protected void UnbecomeStacked() => Context.UnbecomeStacked();
}

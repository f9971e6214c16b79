using System.Collections.Concurrent;

namespace ClusterTrainer.Actors;

/// <summary>
/// Extension point that decides what an address means. The core ships <see cref="LocalActorRefProvider"/>;
/// remoting derives from it (or wraps it) to:
/// <list type="bullet">
/// <item>give the system a network address (<see cref="Address"/>, e.g. <c>ct.tcp://sys@host:port</c>) — it
///   must be final before <see cref="Init"/> creates the guardians, since every local path embeds it;</item>
/// <item>return a remote ref from <see cref="ResolveActorRef(ActorPath)"/> for a non-local address;</item>
/// <item>deliver an inbound message with <c>ResolveLocalActorRef(path)?.Tell(message, remoteSenderRef)</c>
///   and inbound system messages (<see cref="Watch"/>, <see cref="Unwatch"/>, <see cref="DeathWatchNotification"/>)
///   with <see cref="IInternalActorRef.SendSystemMessage"/>.</item>
/// </list>
/// All members must be thread-safe.
/// </summary>
public interface IActorRefProvider
{
    /// <summary>This system's own address; part of every local actor path.</summary>
    Address Address { get; }

    /// <summary>"/" of this system.</summary>
    IInternalActorRef RootGuardian { get; }
    /// <summary>"/user": parent of actors made by <c>system.ActorOf</c>.</summary>
    IInternalActorRef Guardian { get; }
    /// <summary>"/system": parent of runtime actors made by <c>system.SystemActorOf</c>.</summary>
    IInternalActorRef SystemGuardian { get; }
    /// <summary>"/deadLetters".</summary>
    IActorRef DeadLetters { get; }

    /// <summary>Called once by the actor system to create the guardians. <see cref="Address"/> must be final.</summary>
    void Init(ActorSystem system);

    /// <summary>True when <paramref name="address"/> denotes this system.</summary>
    bool IsLocalAddress(Address address);

    /// <summary>
    /// A ref for any path: the live local actor, a remote ref, or (nothing there) a ref that turns every
    /// message into a dead letter addressed to that path. Never null.
    /// </summary>
    IActorRef ResolveActorRef(ActorPath path);

    /// <summary>The live local actor at <paramref name="path"/> (uid must match when non-zero), or null.</summary>
    IInternalActorRef? ResolveLocalActorRef(ActorPath path);

    /// <summary>A fresh path under /temp for a short-lived ref (ask replies).</summary>
    ActorPath TempPath();
    void RegisterTempActor(IInternalActorRef actorRef);
    void UnregisterTempActor(ActorPath path);
}

/// <summary>Provider for a process-local system (address <c>ct://name</c>). Members are virtual for remoting.</summary>
public class LocalActorRefProvider : IActorRefProvider
{
    private readonly ConcurrentDictionary<string, IInternalActorRef> _temp = new(StringComparer.Ordinal);
    private long _tempCounter;
    private ActorSystem? _system;
    private ActorCell? _rootCell;
    private IInternalActorRef? _guardian;
    private IInternalActorRef? _systemGuardian;
    private IActorRef? _deadLetters;

    public LocalActorRefProvider(string systemName) => Address = Address.Local(systemName);

    public virtual Address Address { get; protected set; }

    protected ActorSystem System => _system ?? throw NotInitialized();
    public IInternalActorRef RootGuardian => _rootCell?.Self ?? throw NotInitialized();
    public IInternalActorRef Guardian => _guardian ?? throw NotInitialized();
    public IInternalActorRef SystemGuardian => _systemGuardian ?? throw NotInitialized();
    public IActorRef DeadLetters => _deadLetters ?? throw NotInitialized();
    internal ActorPath RootPath => new(Address, []);

    private static InvalidOperationException NotInitialized() =>
        new("The actor-ref provider is not initialised yet; it is usable once ActorSystem.Create returned.");

    public virtual void Init(ActorSystem system)
    {
        if (_system is not null) throw new InvalidOperationException("The provider is already initialised; create one provider per actor system.");
        _system = system;
        var root = RootPath.WithUid(system.NewUid());
        _deadLetters = new DeadLetterActorRef(system, (RootPath / "deadLetters").WithUid(0));
        var bubble = new RootSupervisor(system, RootPath / "bubble-walker");
        system.RootSupervisor = bubble;
        _rootCell = new ActorCell(system, Props.CreateBy(() => new Guardians.Root()), bubble, root);
        _rootCell.Start();
        _guardian = _rootCell.AttachChild(Props.CreateBy(() => new Guardians.User()), "user");
        _systemGuardian = _rootCell.AttachChild(Props.CreateBy(() => new Guardians.SystemGuardian()), "system");
    }

    public virtual bool IsLocalAddress(Address address) =>
        address.Equals(Address) || (address.HasLocalScope && address.System == Address.System);

    public virtual IActorRef ResolveActorRef(ActorPath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var local = ResolveLocalActorRef(path);
        if (local is not null) return local;
        if (!IsLocalAddress(path.Address))
            System.Log.Warning($"Cannot reach {path}: this system ({Address}) has no remoting, so its messages become dead letters. Configure a remote provider in ActorSystemOptions.ProviderFactory.");
        return new DeadLetterActorRef(System, path);
    }

    public virtual IInternalActorRef? ResolveLocalActorRef(ActorPath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (_rootCell is null || !IsLocalAddress(path.Address)) return null;
        var elements = path.Elements;
        IInternalActorRef? found;
        if (elements.Count == 0) found = _rootCell.Self;
        else if (elements[0] == "temp")
            found = elements.Count == 2 && _temp.TryGetValue(elements[1], out var t) ? t : null;
        else if (elements[0] == "deadLetters")
            found = elements.Count == 1 ? (IInternalActorRef)DeadLetters : null;
        else
        {
            var cell = _rootCell;
            found = null;
            for (var i = 0; i < elements.Count; i++)
            {
                found = cell.GetLivingChild(elements[i]);
                if (found is null) return null;
                if (found is LocalActorRef l) cell = l.Cell;
                else return i == elements.Count - 1 ? found : null;
            }
        }
        if (found is null || found.IsTerminated) return null;
        return path.Uid != 0 && found.Path.Uid != path.Uid ? null : found;
    }

    public ActorPath TempPath() => RootPath / "temp" / ("$" + Interlocked.Increment(ref _tempCounter));

    public void RegisterTempActor(IInternalActorRef actorRef) => _temp[actorRef.Path.Name] = actorRef;

    public void UnregisterTempActor(ActorPath path) => _temp.TryRemove(path.Name, out _);
}

/// <summary>The runtime's own top-level actors.</summary>
internal static class Guardians
{
    /// <summary>"/": stops a failing guardian (which ends the system).</summary>
    internal sealed class Root : ActorBase
    {
        protected override bool Receive(object message) => false;
        protected override SupervisorStrategy SupervisorStrategy() => Actors.SupervisorStrategy.StoppingStrategy;
    }

    /// <summary>"/user": supervises top-level actors with ActorSystemOptions.GuardianSupervisorStrategy.</summary>
    internal sealed class User : ActorBase
    {
        protected override bool Receive(object message) => false;
        protected override SupervisorStrategy SupervisorStrategy() =>
            Cell.System.Options.GuardianSupervisorStrategy ?? Actors.SupervisorStrategy.DefaultStrategy;
        protected override void PostStop()
        {
            if (!Cell.System.IsTerminating) _ = Cell.System.Terminate(); // the user guardian died: the system ends
        }
    }

    internal sealed class SystemGuardian : ActorBase
    {
        protected override bool Receive(object message) => false;
    }
}

/// <summary>Parent of the root guardian: completes system termination when the root stops.</summary>
internal sealed class RootSupervisor(ActorSystem system, ActorPath path) : ActorRefBase
{
    private readonly TaskCompletionSource _rootStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task RootStopped => _rootStopped.Task;
    public override ActorPath Path { get; } = path;
    public override IActorRefProvider Provider => system.Provider;
    public override bool IsLocal => true;
    public override void Tell(object message, IActorRef? sender) => system.DeadLetterOffice.Publish(message, sender, this);

    public override void SendSystemMessage(ISystemMessage message)
    {
        switch (message)
        {
            case Failed f:
                system.Log.Error(f.Cause, $"The root guardian failed; stopping the actor system.");
                ((IInternalActorRef)f.Child).Stop();
                break;
            case DeathWatchNotification:
                _rootStopped.TrySetResult();
                break;
        }
    }
}

/// <summary>
/// A one-shot ref under /temp that completes a task with the first message (ask replies) or with a
/// <see cref="Terminated"/> when used as a watcher.
/// </summary>
internal sealed class PromiseActorRef : ActorRefBase
{
    private readonly IActorRefProvider _provider;
    private readonly TaskCompletionSource<object> _promise = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PromiseActorRef(IActorRefProvider provider)
    {
        _provider = provider;
        Path = provider.TempPath();
        provider.RegisterTempActor(this);
    }

    public Task<object> Result => _promise.Task;
    public override ActorPath Path { get; }
    public override IActorRefProvider Provider => _provider;
    public override bool IsLocal => true;
    public override bool IsTerminated => _promise.Task.IsCompleted;

    public override void Tell(object message, IActorRef? sender)
    {
        if (!_promise.TrySetResult(message) && message is not DeadLetter)
            (_provider.DeadLetters).Tell(message, sender);
    }

    public override void SendSystemMessage(ISystemMessage message)
    {
        if (message is DeathWatchNotification d)
            _promise.TrySetResult(new Terminated(d.Actor, d.ExistenceConfirmed, d.AddressTerminated));
    }

    public void Release() => _provider.UnregisterTempActor(Path);
}

namespace ClusterTrainer.Actors;

/// <summary>Children and death watch.</summary>
internal sealed partial class ActorCell
{
    private sealed class ChildEntry(IInternalActorRef childRef)
    {
        public IInternalActorRef Ref { get; } = childRef;
        public ChildRestartStats Stats { get; } = new();
        /// <summary>Stop requested; the name stays reserved until its DeathWatchNotification arrives.</summary>
        public bool Stopping { get; set; }
    }

    private readonly object _childrenLock = new();
    private readonly Dictionary<string, ChildEntry> _children = new(StringComparer.Ordinal);
    private long _nextChildName;
    private HashSet<IActorRef>? _watching;
    private HashSet<IActorRef>? _watchedBy;
    // Watched actors whose Terminated is queued in our mailbox but not yet received.
    private HashSet<IActorRef>? _terminatedQueued;

    public IActorRef ActorOf(Props props, string? name = null)
    {
        if (name is not null) ActorPath.ValidateName(name);
        return AttachChild(props, name);
    }

    /// <summary>Creates a child; <paramref name="name"/> is not validated (the runtime uses it for guardians).</summary>
    internal IInternalActorRef AttachChild(Props props, string? name)
    {
        ArgumentNullException.ThrowIfNull(props);
        ActorCell cell;
        lock (_childrenLock)
        {
            if (_terminating)
                throw new InvalidOperationException($"Cannot create a child of {Self.Path}: it is stopping.");
            name ??= "$" + EncodeName(++_nextChildName);
            if (_children.ContainsKey(name))
                throw new InvalidActorNameException(
                    $"Actor name '{name}' is not unique: {Self.Path}/{name} exists or is still stopping. Choose another name, or wait for its Terminated before reusing the name.");
            var path = (Self.Path / name).WithUid(System.NewUid());
            cell = new ActorCell(System, props, Self, path);
            _children[name] = new ChildEntry(cell.Self);
        }
        cell.Start();
        return cell.Self;
    }

    private static string EncodeName(long n)
    {
        const string digits = "abcdefghijklmnopqrstuvwxyz0123456789";
        Span<char> buf = stackalloc char[16];
        var i = buf.Length;
        do { buf[--i] = digits[(int)(n % digits.Length)]; n /= digits.Length; } while (n > 0);
        return new string(buf[i..]);
    }

    public IReadOnlyList<IActorRef> GetChildren()
    {
        lock (_childrenLock) return _children.Values.Where(c => !c.Stopping).Select(c => (IActorRef)c.Ref).ToArray();
    }

    public IActorRef? Child(string name)
    {
        lock (_childrenLock)
            return _children.TryGetValue(name, out var c) && !c.Stopping ? c.Ref : null;
    }

    /// <summary>Living child by name, for path look-up from any thread.</summary>
    internal IInternalActorRef? GetLivingChild(string name)
    {
        lock (_childrenLock)
            return _children.TryGetValue(name, out var c) && !c.Stopping && !c.Ref.IsTerminated ? c.Ref : null;
    }

    private IInternalActorRef[] LivingChildren()
    {
        lock (_childrenLock) return _children.Values.Where(c => !c.Stopping).Select(c => c.Ref).ToArray();
    }

    private IReadOnlyList<(IInternalActorRef Child, ChildRestartStats Stats)> ChildStatsSnapshot()
    {
        lock (_childrenLock) return _children.Values.Where(c => !c.Stopping).Select(c => (c.Ref, c.Stats)).ToArray();
    }

    private ChildEntry? FindChild(IActorRef child)
    {
        lock (_childrenLock)
            return _children.TryGetValue(child.Path.Name, out var c) && c.Ref.Equals(child) ? c : null;
    }

    private bool AnyChildStopping()
    {
        lock (_childrenLock) return _children.Values.Any(c => c.Stopping);
    }

    internal void StopChild(IActorRef child)
    {
        lock (_childrenLock)
        {
            if (_children.TryGetValue(child.Path.Name, out var c) && c.Ref.Equals(child)) c.Stopping = true;
        }
        ((IInternalActorRef)child).Stop();
    }

    public void Stop(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor.Equals(Self)) Self.Stop();
        else if (FindChild(actor) is { } child) StopChild(child.Ref);
        else AsInternal(actor).Stop();
    }

    private bool RemoveChild(IActorRef child)
    {
        lock (_childrenLock)
        {
            if (_children.TryGetValue(child.Path.Name, out var c) && c.Ref.Equals(child))
            {
                _children.Remove(child.Path.Name);
                return true;
            }
            return false;
        }
    }

    // ---------------- death watch ----------------

    public IActorRef Watch(IActorRef subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var target = AsInternal(subject);
        if (target.Equals(Self)) return subject;
        _watching ??= new HashSet<IActorRef>();
        if (_watching.Add(target)) target.SendSystemMessage(new Watch(target, Self));
        return subject;
    }

    public IActorRef Unwatch(IActorRef subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var target = AsInternal(subject);
        if (_watching is not null && _watching.Remove(target))
            target.SendSystemMessage(new Unwatch(target, Self));
        _terminatedQueued?.Remove(target);
        return subject;
    }

    /// <summary>Refs such as a TestProbe wrap a runtime ref; resolve them to it by path.</summary>
    private IInternalActorRef AsInternal(IActorRef subject) =>
        subject as IInternalActorRef
        ?? System.Provider.ResolveActorRef(subject.Path) as IInternalActorRef
        ?? throw new ArgumentException($"Cannot watch {subject}: it does not resolve to an actor of this runtime.", nameof(subject));

    private void UnwatchAll()
    {
        if (_watching is null) return;
        foreach (var w in _watching)
            if (w is IInternalActorRef target) target.SendSystemMessage(new Unwatch(target, Self));
        _watching.Clear();
        _terminatedQueued?.Clear();
    }

    private void AddWatcher(Watch watch)
    {
        if (!watch.Watchee.Equals(Self) || watch.Watcher.Equals(Self)) return;
        if (_terminated)
        {
            HandleSystemMessageAfterStop(watch);
            return;
        }
        _watchedBy ??= new HashSet<IActorRef>();
        _watchedBy.Add(watch.Watcher);
    }

    private void RemoveWatcher(Unwatch unwatch)
    {
        if (unwatch.Watchee.Equals(Self)) _watchedBy?.Remove(unwatch.Watcher);
    }

    private void NotifyWatchersOfDeath()
    {
        if (_watchedBy is null) return;
        foreach (var watcher in _watchedBy)
        {
            if (watcher.Equals(Parent)) continue; // the parent is told anyway
            ((IInternalActorRef)watcher).SendSystemMessage(
                new DeathWatchNotification(Self, ExistenceConfirmed: true, AddressTerminated: false));
        }
        _watchedBy.Clear();
    }

    private void HandleDeathWatchNotification(DeathWatchNotification notification)
    {
        var wasChild = RemoveChild(notification.Actor);
        if (_watching is not null && _watching.Remove(notification.Actor) && !_terminating)
        {
            // Queued behind the user messages already in the mailbox, so the watchee's last messages
            // arrive before its Terminated; Unwatch before delivery cancels it.
            (_terminatedQueued ??= new HashSet<IActorRef>()).Add(notification.Actor);
            var terminated = new Terminated(notification.Actor, notification.ExistenceConfirmed, notification.AddressTerminated);
            Mailbox.PostInternal(new Envelope(new DeathWatchTerminated(terminated), notification.Actor));
        }
        if (wasChild) AfterChildStopped();
    }
}

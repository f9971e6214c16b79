using System.Collections.Concurrent;

namespace ClusterTrainer.Actors.Remote;

/// <summary>
/// Death watch across nodes. Two tables, both keyed by the remote node:
/// <list type="bullet">
/// <item><b>watching</b>: local watchers of remote actors. A Watch becomes a <see cref="RemoteWatch"/> to the
///   actor's node; the node answers with a <see cref="RemoteDeathWatchNotification"/> when the actor stops
///   (or at once when it does not exist). When the node is declared terminated (quarantine, or the cluster's
///   failure detector via <see cref="Remoting.DeclareAddressTerminatedAsync"/>), every watcher of every actor
///   on it gets Terminated(addressTerminated: true).</item>
/// <item><b>watchedBy</b>: remote watchers of local actors, so that their entries are dropped (Unwatch) when
///   their node is terminated.</item>
/// </list>
/// </summary>
internal sealed class RemoteWatcher(RemoteActorRefProvider provider)
{
    private readonly ConcurrentDictionary<NodeAddress, ConcurrentDictionary<(IInternalActorRef Watchee, IInternalActorRef Watcher), byte>> _watching = new();
    private readonly ConcurrentDictionary<NodeAddress, ConcurrentDictionary<(IInternalActorRef Watchee, RemoteActorRef Watcher), byte>> _watchedBy = new();

    /// <summary>Number of (remote watchee, local watcher) pairs, for tests and diagnostics.</summary>
    public int WatchingCount => _watching.Values.Sum(d => d.Count);

    /// <summary>A system message addressed to a remote ref.</summary>
    public void SystemMessageToRemote(RemoteActorRef target, ISystemMessage message)
    {
        switch (message)
        {
            case Watch w when w.Watchee.Equals(target):
                if (provider.IsTerminatedAddress(target.Node))
                {
                    w.Watcher.SendSystemMessage(new DeathWatchNotification(target, ExistenceConfirmed: false, AddressTerminated: true));
                    return;
                }
                _watching.GetOrAdd(target.Node, _ => new()).TryAdd((target, w.Watcher), 0);
                provider.SendRemote(target, new RemoteWatch(target.WirePath, provider.ToWire(w.Watcher)!), null);
                break;
            case Unwatch u when u.Watchee.Equals(target):
                if (_watching.TryGetValue(target.Node, out var set)) set.TryRemove((target, u.Watcher), out _);
                provider.SendRemote(target, new RemoteUnwatch(target.WirePath, provider.ToWire(u.Watcher)!), null);
                break;
            case DeathWatchNotification d:
                // A local actor that target watches has stopped.
                if (_watchedBy.TryGetValue(target.Node, out var by) && d.Actor is IInternalActorRef local) by.TryRemove((local, target), out _);
                provider.SendRemote(target, new RemoteDeathWatchNotification(provider.ToWire(d.Actor)!, d.ExistenceConfirmed, d.AddressTerminated), null);
                break;
            default:
                provider.Log.Debug($"system message {message.GetType().Name} to remote {target} is not carried across nodes; dropped");
                break;
        }
    }

    /// <summary>A remote watcher wants to watch a local actor.</summary>
    public void OnRemoteWatch(NodeAddress from, RemoteWatch m)
    {
        var watcher = provider.ResolveRemote(from, m.Watcher);
        if (watcher is null) return;
        var watchee = provider.ResolveLocalWire(m.Watchee);
        if (watchee is null)
        {
            provider.SendRemote(watcher, new RemoteDeathWatchNotification(provider.LocalWire(m.Watchee), ExistenceConfirmed: false, AddressTerminated: false), null);
            return;
        }
        _watchedBy.GetOrAdd(from, _ => new()).TryAdd((watchee, watcher), 0);
        watchee.SendSystemMessage(new Watch(watchee, watcher));
    }

    public void OnRemoteUnwatch(NodeAddress from, RemoteUnwatch m)
    {
        var watcher = provider.ResolveRemote(from, m.Watcher);
        var watchee = provider.ResolveLocalWire(m.Watchee);
        if (watcher is null || watchee is null) return;
        if (_watchedBy.TryGetValue(from, out var by)) by.TryRemove((watchee, watcher), out _);
        watchee.SendSystemMessage(new Unwatch(watchee, watcher));
    }

    /// <summary>A remote actor that <paramref name="watcher"/> watches has stopped.</summary>
    public void OnRemoteDeathWatchNotification(NodeAddress from, IInternalActorRef watcher, RemoteDeathWatchNotification m)
    {
        if (!ActorPath.TryParse(m.Actor, out var path)) return;
        IInternalActorRef? watchee = null;
        if (_watching.TryGetValue(from, out var set))
        {
            // Hand back the very ref the watcher watched (it may carry no uid), so Terminated matches it.
            foreach (var (e, _) in set)
            {
                if (e.Watcher.Equals(watcher) && e.Watchee.Path.Equals(path))
                {
                    watchee = e.Watchee;
                    set.TryRemove(e, out _);
                    break;
                }
            }
        }
        watchee ??= provider.ResolveActorRef(path) as IInternalActorRef;
        if (watchee is null) return;
        watcher.SendSystemMessage(new DeathWatchNotification(watchee, m.ExistenceConfirmed, m.AddressTerminated));
    }

    /// <summary>The node is gone for good: Terminated(addressTerminated) to every local watcher of its actors.</summary>
    public void AddressTerminated(NodeAddress node)
    {
        if (_watching.TryRemove(node, out var set))
            foreach (var ((watchee, watcher), _) in set)
                watcher.SendSystemMessage(new DeathWatchNotification(watchee, ExistenceConfirmed: false, AddressTerminated: true));
        if (_watchedBy.TryRemove(node, out var by))
            foreach (var ((watchee, watcher), _) in by)
                watchee.SendSystemMessage(new Unwatch(watchee, watcher));
    }
}

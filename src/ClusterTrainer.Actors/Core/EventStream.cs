namespace ClusterTrainer.Actors;

/// <summary>
/// Publish/subscribe bus of an actor system. A subscriber to type C receives every published event whose
/// type is C or derives from/implements C (so subscribing to a base record gets all cluster events).
/// Publishing is lock-free (reads an immutable snapshot); subscribing copies the snapshot under a lock.
/// Subscriptions of stopped actors are removed automatically.
/// </summary>
public sealed class EventStream
{
    private readonly object _gate = new();
    private volatile Subscription[] _subscriptions = [];

    private sealed record Subscription(IActorRef Subscriber, Type Channel);

    /// <summary>Returns false when the subscriber was already subscribed to that channel.</summary>
    public bool Subscribe(IActorRef subscriber, Type channel)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ArgumentNullException.ThrowIfNull(channel);
        lock (_gate)
        {
            if (_subscriptions.Any(s => s.Subscriber.Equals(subscriber) && s.Channel == channel)) return false;
            _subscriptions = [.. _subscriptions, new Subscription(subscriber, channel)];
            return true;
        }
    }

    public bool Subscribe<T>(IActorRef subscriber) => Subscribe(subscriber, typeof(T));

    public bool Unsubscribe(IActorRef subscriber, Type channel)
    {
        lock (_gate)
        {
            var before = _subscriptions;
            _subscriptions = before.Where(s => !(s.Subscriber.Equals(subscriber) && s.Channel == channel)).ToArray();
            return _subscriptions.Length != before.Length;
        }
    }

    /// <summary>Removes every subscription of the subscriber.</summary>
    public bool Unsubscribe(IActorRef subscriber)
    {
        lock (_gate)
        {
            var before = _subscriptions;
            if (!before.Any(s => s.Subscriber.Equals(subscriber))) return false;
            _subscriptions = before.Where(s => !s.Subscriber.Equals(subscriber)).ToArray();
            return true;
        }
    }

    public void Publish(object @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var type = @event.GetType();
        var subs = _subscriptions;
        var sawDead = false;
        foreach (var s in subs)
        {
            if (!s.Channel.IsAssignableFrom(type)) continue;
            if (s.Subscriber is IInternalActorRef { IsTerminated: true }) { sawDead = true; continue; }
            s.Subscriber.Tell(@event, null);
        }
        if (sawDead) RemoveDead();
    }

    private void RemoveDead()
    {
        lock (_gate)
            _subscriptions = _subscriptions.Where(s => s.Subscriber is not IInternalActorRef { IsTerminated: true }).ToArray();
    }
}

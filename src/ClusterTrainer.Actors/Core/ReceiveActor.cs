namespace ClusterTrainer.Actors;

/// <summary>
/// Actor configured with typed handlers, Akka.NET style:
/// <code>
///   public Counter() { Receive&lt;Add&gt;(a => _n += a.N); Receive&lt;Get&gt;(_ => Sender.Tell(_n)); }
/// </code>
/// Handlers are tried in registration order; the first whose type (and predicate) matches wins.
/// </summary>
public abstract class ReceiveActor : ActorBase
{
    private HandlerSet _building;
    private readonly HandlerSet _initial;

    protected ReceiveActor()
    {
        _initial = new HandlerSet();
        _building = _initial;
    }

    protected sealed override bool Receive(object message) => _initial.Handle(message);

    protected void Receive<T>(Action<T> handler) => _building.Add<T>(null, handler);

    protected void Receive<T>(Predicate<T> shouldHandle, Action<T> handler) => _building.Add(shouldHandle, handler);

    /// <summary>Handler that returns false to leave the message unhandled.</summary>
    protected void Receive<T>(Func<T, bool> handler) => _building.AddFunc(handler);

    /// <summary>
    /// Async handler: the actor processes no further user message until the task completes. A faulted
    /// task fails the actor like a thrown exception.
    /// </summary>
    protected void ReceiveAsync<T>(Func<T, Task> handler, Predicate<T>? shouldHandle = null) =>
        _building.Add<T>(shouldHandle, m => Cell.RunAsyncHandler(() => handler(m)));

    protected void ReceiveAny(Action<object> handler) => _building.Add<object>(null, handler);

    protected void ReceiveAnyAsync(Func<object, Task> handler) =>
        _building.Add<object>(null, m => Cell.RunAsyncHandler(() => handler(m)));

    /// <summary>Replaces the behaviour with the handlers that <paramref name="configure"/> registers.</summary>
    protected void Become(Action configure) => Context.Become(Build(configure));

    /// <summary>Pushes a new behaviour; <see cref="UnbecomeStacked"/> returns to the previous one.</summary>
    protected void BecomeStacked(Action configure) => Context.BecomeStacked(Build(configure));

    protected void UnbecomeStacked() => Context.UnbecomeStacked();

    private Receive Build(Action configure)
    {
        var set = new HandlerSet();
        var previous = _building;
        _building = set;
        try { configure(); }
        finally { _building = previous; }
        return set.Handle;
    }

    private sealed class HandlerSet
    {
        private Func<object, bool>[] _handlers = [];

        public void Add<T>(Predicate<T>? shouldHandle, Action<T> handler)
        {
            ArgumentNullException.ThrowIfNull(handler);
            Append(shouldHandle is null
                ? m => { if (m is not T t) return false; handler(t); return true; }
                : m => { if (m is not T t || !shouldHandle(t)) return false; handler(t); return true; });
        }

        public void AddFunc<T>(Func<T, bool> handler)
        {
            ArgumentNullException.ThrowIfNull(handler);
            Append(m => m is T t && handler(t));
        }

        private void Append(Func<object, bool> h) => _handlers = [.. _handlers, h];

        public bool Handle(object message)
        {
            foreach (var h in _handlers)
                if (h(message)) return true;
            return false;
        }
    }
}

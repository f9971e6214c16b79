namespace ClusterTrainer.Actors.Persistence;

/// <summary>Typed handlers tried in registration order; the first whose type (and predicate) matches wins.</summary>
internal sealed class HandlerTable
{
    private readonly List<Func<object, bool>> handlers = new();

    public void Add<T>(Predicate<T>? shouldHandle, Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        handlers.Add(m =>
        {
            if (m is not T t || (shouldHandle is not null && !shouldHandle(t)))
            {
                return false;
            }

            handler(t);
            return true;
        });
    }

    public bool Handle(object message)
    {
        foreach (var handler in handlers)
        {
            if (handler(message))
            {
                return true;
            }
        }

        return false;
    }
}

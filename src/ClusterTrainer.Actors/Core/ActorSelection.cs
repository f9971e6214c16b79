namespace ClusterTrainer.Actors;

/// <summary>
/// A path that is resolved when used (the actor may not exist yet, or live on another node).
/// Wildcards are not supported.
/// </summary>
public sealed class ActorSelection
{
    private readonly ActorSystem _system;

    public ActorSelection(ActorSystem system, ActorPath path)
    {
        _system = system;
        Path = path;
    }

    public ActorPath Path { get; }

    internal static ActorSelection Create(ActorSystem system, ActorPath anchor, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.IndexOfAny(['*', '?']) >= 0)
            throw new ArgumentException($"Actor selection '{path}' uses wildcards, which are not supported; select an exact path.", nameof(path));
        if (path.Contains("://", StringComparison.Ordinal)) return new ActorSelection(system, ActorPath.Parse(path));
        var elements = new List<string>(path.StartsWith('/') ? [] : anchor.Elements);
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..")
            {
                if (elements.Count == 0)
                    throw new ArgumentException($"Actor selection '{path}' goes above the root of {anchor}.", nameof(path));
                elements.RemoveAt(elements.Count - 1);
            }
            else elements.Add(part);
        }
        return new ActorSelection(system, new ActorPath(anchor.Address, elements));
    }

    /// <summary>Resolves the path now and sends; nothing there means a dead letter.</summary>
    public void Tell(object message, IActorRef? sender) => _system.Provider.ResolveActorRef(Path).Tell(message, sender);

    public void Tell(object message) => Tell(message, ImplicitSender.Current);

    /// <summary>
    /// The ref living at the path. Local paths are looked up directly; remote ones are asked with
    /// <see cref="Identify"/>. Throws <see cref="ActorNotFoundException"/> when nothing answers in time.
    /// </summary>
    public async Task<IActorRef> ResolveOne(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var provider = _system.Provider;
        if (provider.IsLocalAddress(Path.Address))
        {
            return provider.ResolveLocalActorRef(Path)
                   ?? throw new ActorNotFoundException($"No actor lives at {Path}. Check the name and that it was started (names are case-sensitive).");
        }
        ActorIdentity identity;
        try
        {
            identity = await provider.ResolveActorRef(Path).Ask<ActorIdentity>(new Identify(Path.ToString()), timeout, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (AskTimeoutException e)
        {
            throw new ActorNotFoundException($"No actor at {Path} answered Identify within {timeout}: {e.Message}");
        }
        return identity.Subject ?? throw new ActorNotFoundException($"No actor lives at {Path}.");
    }

    public override string ToString() => $"ActorSelection[{Path}]";
}

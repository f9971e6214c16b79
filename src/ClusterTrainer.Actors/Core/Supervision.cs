namespace ClusterTrainer.Actors;

/// <summary>What a supervisor does with a failed child.</summary>
public enum Directive
{
    /// <summary>Keep the actor instance and its state; continue with the next message.</summary>
    Resume,
    /// <summary>Replace the instance (PreRestart, new instance, PostRestart); the mailbox is kept.</summary>
    Restart,
    /// <summary>Stop the child.</summary>
    Stop,
    /// <summary>Fail the supervisor itself with the same exception.</summary>
    Escalate,
}

/// <summary>Maps an exception to a <see cref="Directive"/>.</summary>
public delegate Directive Decider(Exception cause);

/// <summary>Restart bookkeeping the parent keeps per child.</summary>
public sealed class ChildRestartStats
{
    private long _windowStart;

    public int RestartCount { get; private set; }

    /// <summary>
    /// True when another restart is allowed: fewer than <paramref name="maxRetries"/> restarts inside the
    /// current window. A negative <paramref name="maxRetries"/> means no limit.
    /// </summary>
    internal bool RequestRestartPermission(int maxRetries, TimeSpan? window)
    {
        if (maxRetries < 0) return true;
        if (maxRetries == 0) return false;
        if (window is null) return ++RestartCount <= maxRetries;
        var now = Environment.TickCount64;
        if (_windowStart == 0 || now - _windowStart > (long)window.Value.TotalMilliseconds)
        {
            _windowStart = now;
            RestartCount = 1;
            return true;
        }
        return ++RestartCount <= maxRetries;
    }
}

/// <summary>
/// How a parent handles failures of its children. Same shape as Akka.NET: a <see cref="Decider"/> plus
/// <c>maxNrOfRetries</c> within <c>withinTimeRange</c>; when the limit is exceeded the child is stopped.
/// </summary>
public abstract class SupervisorStrategy
{
    protected SupervisorStrategy(int maxNrOfRetries, TimeSpan? withinTimeRange, Decider decider)
    {
        if (withinTimeRange is { } w && w <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(withinTimeRange), w, "The retry window must be positive, or null for no window.");
        MaxNrOfRetries = maxNrOfRetries;
        WithinTimeRange = withinTimeRange;
        Decider = decider ?? throw new ArgumentNullException(nameof(decider));
    }

    /// <summary>-1 = unlimited.</summary>
    public int MaxNrOfRetries { get; }
    /// <summary>null = the count never resets.</summary>
    public TimeSpan? WithinTimeRange { get; }
    public Decider Decider { get; }

    /// <summary>Akka's default: stop on initialization failure, kill and death pact; restart otherwise.</summary>
    public static readonly Decider DefaultDecider = cause => cause switch
    {
        ActorInitializationException => Directive.Stop,
        ActorKilledException => Directive.Stop,
        DeathPactException => Directive.Stop,
        _ => Directive.Restart,
    };

    /// <summary>Restart a failing child, unlimited times.</summary>
    public static SupervisorStrategy DefaultStrategy { get; } = new OneForOneStrategy(-1, null, DefaultDecider);

    /// <summary>Stop a failing child.</summary>
    public static SupervisorStrategy StoppingStrategy { get; } = new OneForOneStrategy(-1, null, _ => Directive.Stop);

    /// <summary>
    /// Applies the directive to the failed child (and, for all-for-one, its siblings).
    /// Returns false when the failure must be escalated.
    /// </summary>
    internal bool HandleFailure(ActorCell parent, IInternalActorRef child, Exception cause, ChildRestartStats stats,
        IReadOnlyList<(IInternalActorRef Child, ChildRestartStats Stats)> children)
    {
        var directive = Decider(cause);
        var level = directive == Directive.Escalate ? LogLevel.Error : LogLevel.Warning;
        parent.Log.Log(level, cause, $"Child {child.Path} failed ({cause.GetType().Name}: {cause.Message}); directive {directive}.");
        switch (directive)
        {
            case Directive.Resume:
                child.SendSystemMessage(new Resume(cause));
                return true;
            case Directive.Restart:
                ProcessRestart(parent, child, cause, stats, children);
                return true;
            case Directive.Stop:
                ProcessStop(parent, child, children);
                return true;
            default:
                return false;
        }
    }

    private protected abstract void ProcessRestart(ActorCell parent, IInternalActorRef child, Exception cause,
        ChildRestartStats stats, IReadOnlyList<(IInternalActorRef Child, ChildRestartStats Stats)> children);

    private protected abstract void ProcessStop(ActorCell parent, IInternalActorRef child,
        IReadOnlyList<(IInternalActorRef Child, ChildRestartStats Stats)> children);
}

/// <summary>Applies the directive only to the child that failed.</summary>
public sealed class OneForOneStrategy : SupervisorStrategy
{
    public OneForOneStrategy(int maxNrOfRetries, TimeSpan? withinTimeRange, Decider decider)
        : base(maxNrOfRetries, withinTimeRange, decider) { }

    public OneForOneStrategy(Decider decider) : base(-1, null, decider) { }

    private protected override void ProcessRestart(ActorCell parent, IInternalActorRef child, Exception cause,
        ChildRestartStats stats, IReadOnlyList<(IInternalActorRef Child, ChildRestartStats Stats)> children)
    {
        if (stats.RequestRestartPermission(MaxNrOfRetries, WithinTimeRange))
            child.SendSystemMessage(new Recreate(cause));
        else
        {
            parent.Log.Warning($"Child {child.Path} exceeded {MaxNrOfRetries} restarts within {WithinTimeRange?.ToString() ?? "its lifetime"}; stopping it.");
            parent.StopChild(child);
        }
    }

    private protected override void ProcessStop(ActorCell parent, IInternalActorRef child,
        IReadOnlyList<(IInternalActorRef Child, ChildRestartStats Stats)> children) => parent.StopChild(child);
}

/// <summary>Applies Restart and Stop to all children of the supervisor; Resume only to the failed one.</summary>
public sealed class AllForOneStrategy : SupervisorStrategy
{
    public AllForOneStrategy(int maxNrOfRetries, TimeSpan? withinTimeRange, Decider decider)
        : base(maxNrOfRetries, withinTimeRange, decider) { }

    public AllForOneStrategy(Decider decider) : base(-1, null, decider) { }

    private protected override void ProcessRestart(ActorCell parent, IInternalActorRef child, Exception cause,
        ChildRestartStats stats, IReadOnlyList<(IInternalActorRef Child, ChildRestartStats Stats)> children)
    {
        var allowed = children.All(c => c.Stats.RequestRestartPermission(MaxNrOfRetries, WithinTimeRange));
        foreach (var (c, _) in children)
        {
            if (allowed) c.SendSystemMessage(new Recreate(cause));
            else parent.StopChild(c);
        }
    }

    private protected override void ProcessStop(ActorCell parent, IInternalActorRef child,
        IReadOnlyList<(IInternalActorRef Child, ChildRestartStats Stats)> children)
    {
        foreach (var (c, _) in children) parent.StopChild(c);
    }
}

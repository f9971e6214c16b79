namespace ClusterTrainer.Actors;

/// <summary>Settings of an actor system. Every property has a working default.</summary>
public sealed record ActorSystemOptions
{
    public static readonly ActorSystemOptions Default = new();

    /// <summary>Lowest level that is logged (sink and event stream).</summary>
    public LogLevel LogLevel { get; init; } = LogLevel.Info;

    /// <summary>Where log lines go besides the event stream; null = standard error.</summary>
    public ILogSink? LogSink { get; init; }

    /// <summary>Messages an actor handles per mailbox run before yielding the thread (fairness vs. throughput).</summary>
    public int Throughput { get; init; } = 30;

    /// <summary>Mailbox for actors whose Props do not choose one.</summary>
    public MailboxOptions DefaultMailbox { get; init; } = MailboxOptions.Unbounded;

    /// <summary>Stash capacity for actors whose Props do not choose one.</summary>
    public int DefaultStashCapacity { get; init; } = 10_000;

    /// <summary>Strategy of the /user guardian, i.e. for failures of top-level actors; null = restart.</summary>
    public SupervisorStrategy? GuardianSupervisorStrategy { get; init; }

    /// <summary>
    /// Creates the actor-ref provider. Null = <see cref="LocalActorRefProvider"/> (address ct://name).
    /// Remoting plugs in here to give the system a ct.tcp:// address and remote refs.
    /// </summary>
    public Func<ActorSystem, IActorRefProvider>? ProviderFactory { get; init; }

    /// <summary>Whether dead letters are logged (they are always counted and published).</summary>
    public bool LogDeadLetters { get; init; } = true;

    /// <summary>At most this many dead letters are logged per <see cref="DeadLetterLogWindow"/>; the rest are summarised.</summary>
    public int DeadLetterLogLimit { get; init; } = 10;

    public TimeSpan DeadLetterLogWindow { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest time one coordinated-shutdown phase may take before the next one starts anyway.</summary>
    public TimeSpan ShutdownPhaseTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Run coordinated shutdown (and wait for it) when the process receives SIGTERM.</summary>
    public bool TerminateOnSigterm { get; init; } = true;

    internal void Validate()
    {
        if (Throughput < 1)
            throw new ArgumentOutOfRangeException(nameof(Throughput), Throughput, "ActorSystemOptions.Throughput must be at least 1 (30 is a good default).");
        if (DefaultStashCapacity < 1)
            throw new ArgumentOutOfRangeException(nameof(DefaultStashCapacity), DefaultStashCapacity, "ActorSystemOptions.DefaultStashCapacity must be at least 1.");
        if (DeadLetterLogLimit < 0)
            throw new ArgumentOutOfRangeException(nameof(DeadLetterLogLimit), DeadLetterLogLimit, "ActorSystemOptions.DeadLetterLogLimit must not be negative (0 logs none).");
        if (DeadLetterLogWindow <= TimeSpan.Zero || ShutdownPhaseTimeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(DeadLetterLogWindow), "ActorSystemOptions time spans must be positive.");
    }
}

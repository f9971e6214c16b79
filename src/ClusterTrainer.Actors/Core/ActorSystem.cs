using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace ClusterTrainer.Actors;

/// <summary>
/// A hierarchy of actors with its guardians, event stream, scheduler, dead letters and extensions.
/// <code>
///   var system = ActorSystem.Create("node");
///   var worker = system.ActorOf(Props.Create(() => new Worker(1)), "worker-1");
///   var reply = await worker.Ask&lt;Pong&gt;(new Ping(), TimeSpan.FromSeconds(3));
///   await system.Terminate();
/// </code>
/// Lifecycle: Running --Terminate()/SIGTERM--> coordinated shutdown phases --> /user stopped
/// --> /system stopped --> / stopped --> Terminated (<see cref="WhenTerminated"/> completes).
/// </summary>
public sealed class ActorSystem : IDisposable
{
    private readonly ConcurrentDictionary<Type, Lazy<object>> _extensions = new();
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimerScheduler _scheduler;
    private readonly PosixSignalRegistration? _sigterm;
    private ILoggingAdapter? _deadLetterLog;
    private int _terminating;

    private ActorSystem(string name, ActorSystemOptions options)
    {
        Name = name;
        Options = options;
        StartTime = DateTimeOffset.UtcNow;
        EventStream = new EventStream();
        Log = CreateLogger($"ActorSystem({name})");
        _scheduler = new TimerScheduler(CreateLogger("Scheduler"));
        DeadLetterOffice = new DeadLetterOffice(this);
        CoordinatedShutdown = new CoordinatedShutdown(this);
        CoordinatedShutdown.AddTask(CoordinatedShutdown.Phases.ActorSystemTerminate, "stop-actors", _ => StopHierarchyAsync());
        Provider = options.ProviderFactory?.Invoke(this) ?? new LocalActorRefProvider(name);
        if (Provider.Address.System != name)
            throw new InvalidOperationException(
                $"The actor-ref provider's address {Provider.Address} names system '{Provider.Address.System}', but the system is '{name}'.");
        Provider.Init(this);
        if (options.TerminateOnSigterm && !OperatingSystem.IsBrowser())
        {
            try
            {
                _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ =>
                {
                    Log.Info("SIGTERM received; running coordinated shutdown.");
                    Terminate().Wait(Options.ShutdownPhaseTimeout * CoordinatedShutdown.Phases.All.Count);
                });
            }
            catch (PlatformNotSupportedException) { /* no signals here: Terminate() is the only way */ }
        }
    }

    /// <summary>Creates and starts an actor system. Names use letters, digits, '-' and '_'.</summary>
    public static ActorSystem Create(string name, ActorSystemOptions? options = null)
    {
        ValidateSystemName(name);
        options ??= ActorSystemOptions.Default;
        options.Validate();
        return new ActorSystem(name, options);
    }

    private static void ValidateSystemName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || !char.IsAsciiLetterOrDigit(name[0]) || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            throw new ArgumentException(
                $"Actor system name '{name}' is invalid: it must start with a letter or digit and contain only letters, digits, '-' and '_'.",
                nameof(name));
    }

    public string Name { get; }
    public ActorSystemOptions Options { get; }
    public IActorRefProvider Provider { get; }
    public EventStream EventStream { get; }
    public IScheduler Scheduler => _scheduler;
    public ILoggingAdapter Log { get; }
    public CoordinatedShutdown CoordinatedShutdown { get; }
    public DateTimeOffset StartTime { get; }
    public TimeSpan Uptime => DateTimeOffset.UtcNow - StartTime;
    public IActorRef DeadLetters => Provider.DeadLetters;

    /// <summary>Messages that could not be delivered since the system started.</summary>
    public long DeadLetterCount => DeadLetterOffice.Count;

    public Task WhenTerminated => _terminated.Task;
    public bool IsTerminating => Volatile.Read(ref _terminating) != 0;

    internal DeadLetterOffice DeadLetterOffice { get; }
    internal RootSupervisor? RootSupervisor { get; set; }
    internal ILoggingAdapter DeadLetterLog => _deadLetterLog ??= CreateLogger("DeadLetters");

    internal ILoggingAdapter CreateLogger(string source) => new BusLogger(this, source);

    /// <summary>Logger for code outside actors (components, extensions).</summary>
    public ILoggingAdapter GetLogger(string source) => CreateLogger(source);

    internal long NewUid()
    {
        long uid;
        do { uid = Random.Shared.NextInt64(); } while (uid == 0);
        return uid;
    }

    internal SupervisorStrategy DefaultStrategyFor(ActorCell cell) => SupervisorStrategy.DefaultStrategy;

    /// <summary>Creates a top-level actor under /user.</summary>
    public IActorRef ActorOf(Props props, string? name = null)
    {
        EnsureRunning();
        return ((LocalActorRef)Provider.Guardian).Cell.ActorOf(props, name);
    }

    /// <summary>Creates a runtime actor under /system (for extensions such as remoting or cluster).</summary>
    public IActorRef SystemActorOf(Props props, string? name = null)
    {
        EnsureRunning();
        return ((LocalActorRef)Provider.SystemGuardian).Cell.ActorOf(props, name);
    }

    private void EnsureRunning()
    {
        if (WhenTerminated.IsCompleted)
            throw new InvalidOperationException($"Actor system '{Name}' is terminated; create a new system to create actors.");
    }

    /// <summary>Stops an actor asynchronously.</summary>
    public void Stop(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        // Wrappers such as a TestProbe are resolved to the runtime ref behind them by path.
        if ((actor as IInternalActorRef ?? Provider.ResolveActorRef(actor.Path) as IInternalActorRef) is { } r) r.Stop();
    }

    /// <summary>
    /// Selection by path: absolute (<c>ct://sys/user/a</c>) or relative to the root (<c>/user/a</c>, <c>user/a</c>).
    /// </summary>
    public ActorSelection ActorSelection(string path) => Actors.ActorSelection.Create(this, new ActorPath(Provider.Address, []), path);

    public ActorSelection ActorSelection(ActorPath path) => new(this, path);

    // ---------------- extensions ----------------

    /// <summary>
    /// Registers (once) and returns the system-wide instance of <typeparamref name="T"/>. Later calls return
    /// the first instance. Use it like Akka's <c>Cluster.Get(system)</c>:
    /// <c>public static Cluster Get(ActorSystem s) => s.RegisterExtension(sys => new Cluster(sys));</c>
    /// </summary>
    public T RegisterExtension<T>(Func<ActorSystem, T> factory) where T : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        var lazy = _extensions.GetOrAdd(typeof(T), _ => new Lazy<object>(() => factory(this), LazyThreadSafetyMode.ExecutionAndPublication));
        try { return (T)lazy.Value; }
        catch
        {
            _extensions.TryRemove(new KeyValuePair<Type, Lazy<object>>(typeof(T), lazy)); // let a later call retry
            throw;
        }
    }

    public T GetExtension<T>() where T : class =>
        TryGetExtension<T>(out var ext) ? ext
            : throw new InvalidOperationException(
                $"Extension {typeof(T).Name} is not registered in actor system '{Name}'. Register it first with system.RegisterExtension(sys => new {typeof(T).Name}(...)).");

    public bool TryGetExtension<T>(out T extension) where T : class
    {
        if (_extensions.TryGetValue(typeof(T), out var lazy)) { extension = (T)lazy.Value; return true; }
        extension = null!;
        return false;
    }

    public bool HasExtension<T>() where T : class => _extensions.ContainsKey(typeof(T));

    // ---------------- termination ----------------

    /// <summary>Runs coordinated shutdown (which finally stops every actor) and returns <see cref="WhenTerminated"/>.</summary>
    public Task Terminate()
    {
        if (Interlocked.Exchange(ref _terminating, 1) == 0)
            _ = CoordinatedShutdown.RunAsync(CoordinatedShutdown.Reason.ActorSystemTerminate);
        return WhenTerminated;
    }

    private async Task StopHierarchyAsync()
    {
        Volatile.Write(ref _terminating, 1);
        await StopAndWaitAsync(Provider.Guardian).ConfigureAwait(false);
        await StopAndWaitAsync(Provider.SystemGuardian).ConfigureAwait(false);
        Provider.RootGuardian.Stop();
        if (RootSupervisor is not null) await RootSupervisor.RootStopped.ConfigureAwait(false);
        _scheduler.Dispose();
        _sigterm?.Dispose();
        _terminated.TrySetResult();
    }

    private async Task StopAndWaitAsync(IInternalActorRef actor)
    {
        var watcher = new PromiseActorRef(Provider);
        try
        {
            actor.SendSystemMessage(new Watch(actor, watcher));
            actor.Stop();
            await watcher.Result.ConfigureAwait(false);
        }
        finally { watcher.Release(); }
    }

    /// <summary>Terminates and waits (at most the sum of all phase timeouts).</summary>
    public void Dispose()
    {
        var budget = Options.ShutdownPhaseTimeout * (CoordinatedShutdown.Phases.All.Count + 1);
        if (!Terminate().Wait(budget))
            Log.Warning($"Actor system '{Name}' did not terminate within {budget}.");
    }

    public override string ToString() => $"ActorSystem({Provider.Address})";
}

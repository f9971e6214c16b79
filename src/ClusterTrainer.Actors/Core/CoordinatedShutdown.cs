namespace ClusterTrainer.Actors;

/// <summary>
/// Ordered shutdown, a small version of Akka's CoordinatedShutdown. Extensions add tasks to named phases
/// (cluster leave before remoting stops, ...). <see cref="RunAsync"/> runs the phases in the order of
/// <see cref="Phases.All"/>; tasks of one phase run concurrently; a phase that exceeds
/// <see cref="ActorSystemOptions.ShutdownPhaseTimeout"/> is logged and the next one starts anyway.
/// The last phase stops all actors and completes <see cref="ActorSystem.WhenTerminated"/>.
/// <code>
///   NotStarted --RunAsync--> phase 1 --> phase 2 --> ... --> actor-system-terminate --> Done
/// </code>
/// </summary>
public sealed class CoordinatedShutdown
{
    public static class Phases
    {
        public const string BeforeServiceUnbind = "before-service-unbind";
        public const string ServiceUnbind = "service-unbind";
        public const string ServiceRequestsDone = "service-requests-done";
        public const string ServiceStop = "service-stop";
        public const string BeforeClusterShutdown = "before-cluster-shutdown";
        public const string ClusterShardingShutdownRegion = "cluster-sharding-shutdown-region";
        public const string ClusterLeave = "cluster-leave";
        public const string ClusterExiting = "cluster-exiting";
        public const string ClusterExitingDone = "cluster-exiting-done";
        public const string ClusterShutdown = "cluster-shutdown";
        public const string BeforeActorSystemTerminate = "before-actor-system-terminate";
        public const string ActorSystemTerminate = "actor-system-terminate";

        public static readonly IReadOnlyList<string> All =
        [
            BeforeServiceUnbind, ServiceUnbind, ServiceRequestsDone, ServiceStop, BeforeClusterShutdown,
            ClusterShardingShutdownRegion, ClusterLeave, ClusterExiting, ClusterExitingDone, ClusterShutdown,
            BeforeActorSystemTerminate, ActorSystemTerminate,
        ];
    }

    /// <summary>Why shutdown runs (available to tasks via <see cref="ShutdownReason"/>).</summary>
    public sealed record Reason(string Name)
    {
        public static readonly Reason ActorSystemTerminate = new("actor-system-terminate");
        public static readonly Reason ProcessTerminated = new("sigterm");
        public static readonly Reason ClusterLeaving = new("cluster-leaving");
        public static readonly Reason ClusterDowning = new("cluster-downing");
    }

    private readonly ActorSystem _system;
    private readonly object _gate = new();
    private readonly Dictionary<string, List<(string Name, Func<CancellationToken, Task> Task)>> _tasks = new();
    private Task? _run;

    internal CoordinatedShutdown(ActorSystem system) => _system = system;

    public Reason? ShutdownReason { get; private set; }

    /// <summary>Adds a task to a phase. Throws for unknown phases or when shutdown already started.</summary>
    public void AddTask(string phase, string taskName, Func<CancellationToken, Task> task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!Phases.All.Contains(phase))
            throw new ArgumentException($"Unknown shutdown phase '{phase}'. Use one of CoordinatedShutdown.Phases: {string.Join(", ", Phases.All)}.", nameof(phase));
        lock (_gate)
        {
            if (_run is not null)
                throw new InvalidOperationException($"Coordinated shutdown of '{_system.Name}' already started; task '{taskName}' cannot be added.");
            if (!_tasks.TryGetValue(phase, out var list)) _tasks[phase] = list = new();
            list.Add((taskName, task));
        }
    }

    /// <summary>Runs all phases once; later calls return the same task.</summary>
    public Task RunAsync(Reason reason)
    {
        lock (_gate)
        {
            if (_run is not null) return _run;
            ShutdownReason = reason;
            return _run = Task.Run(RunPhasesAsync);
        }
    }

    private async Task RunPhasesAsync()
    {
        var log = _system.GetLogger("CoordinatedShutdown");
        foreach (var phase in Phases.All)
        {
            List<(string Name, Func<CancellationToken, Task> Task)> tasks;
            lock (_gate) tasks = _tasks.TryGetValue(phase, out var l) ? [.. l] : [];
            if (tasks.Count == 0) continue;
            var timeout = _system.Options.ShutdownPhaseTimeout;
            using var cts = new CancellationTokenSource(timeout);
            var running = tasks.Select(t => RunOne(t.Name, t.Task, cts.Token, log)).ToArray();
            var all = Task.WhenAll(running);
            if (await Task.WhenAny(all, Task.Delay(timeout)).ConfigureAwait(false) != all)
                log.Warning($"Shutdown phase '{phase}' did not finish within {timeout}; continuing with the next phase. Raise ActorSystemOptions.ShutdownPhaseTimeout if its tasks need longer.");
        }
    }

    private static async Task RunOne(string name, Func<CancellationToken, Task> task, CancellationToken token, ILoggingAdapter log)
    {
        try { await task(token).ConfigureAwait(false); }
        catch (Exception e) { log.Error(e, $"Shutdown task '{name}' failed; shutdown continues."); }
    }
}

namespace ClusterTrainer.TestKit.MultiNode;

/// <summary>
/// Named barriers for a multi-node spec: every role must enter a barrier before any may pass it.
/// A barrier that not everyone reaches in time fails for all, naming the roles that never arrived.
/// Barriers are used once each, in the same order on every node (like Akka's TestConductor).
/// </summary>
public sealed class BarrierCoordinator
{
    private readonly object _lock = new();
    private readonly IReadOnlyList<string> _roles;
    private readonly Dictionary<string, (HashSet<string> Arrived, TaskCompletionSource Done)> _barriers = new();

    public BarrierCoordinator(IReadOnlyList<string> roles) => _roles = roles;

    public async Task EnterAsync(string barrier, string role, TimeSpan timeout)
    {
        if (!_roles.Contains(role)) throw new ArgumentException($"Role '{role}' is not one of this spec's roles ({string.Join(", ", _roles)}).");
        TaskCompletionSource done;
        lock (_lock)
        {
            if (!_barriers.TryGetValue(barrier, out var b))
                _barriers[barrier] = b = ([], new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            if (!b.Arrived.Add(role))
                throw new InvalidOperationException($"Role '{role}' entered barrier '{barrier}' twice; barrier names must be unique in a spec.");
            done = b.Done;
            if (b.Arrived.Count == _roles.Count) b.Done.TrySetResult();
        }
        var winner = await Task.WhenAny(done.Task, Task.Delay(timeout)).ConfigureAwait(false);
        if (winner != done.Task)
        {
            string missing;
            lock (_lock) missing = string.Join(", ", _roles.Where(r => !_barriers[barrier].Arrived.Contains(r)));
            var ex = new TimeoutException($"Barrier '{barrier}' timed out after {timeout.TotalSeconds:0.#} s on role '{role}': [{missing}] never entered it.");
            done.TrySetException(ex);
            throw ex;
        }
        await done.Task.ConfigureAwait(false);
    }
}

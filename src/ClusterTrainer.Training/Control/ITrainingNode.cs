using ClusterTrainer.Actors;

namespace ClusterTrainer.Training.Control;

/// <summary>
/// One running node of the cluster: its actor system joined to the cluster with the roles of its
/// <see cref="NodeOptions"/>, and the control plane the node's HTTP endpoint serves.
/// Started by <c>ClusterTrainer.Training.Cluster.TrainingNode.StartAsync</c>.
/// </summary>
public interface ITrainingNode : IAsyncDisposable
{
    /// <summary>This node's remoting address, <c>ct.tcp://clustertrainer@host:port</c>.</summary>
    string Address { get; }

    IControlPlane Control { get; }

    /// <summary>The node's actor system (for hosting code and tests; control goes through <see cref="Control"/>).</summary>
    ActorSystem System { get; }

    /// <summary>
    /// Leaves the cluster gracefully: the coordinator singleton and this node's parameter shards are handed
    /// over, workers finish their step; then the actor system terminates. What SIGTERM does.
    /// </summary>
    Task LeaveAsync(CancellationToken ct);

    /// <summary>Completes when the node's actor system has terminated (left, downed, or disposed).</summary>
    Task WhenTerminated { get; }
}

/// <summary>
/// Where the node host sends the actor system's log events, so the control API can serve <c>/api/log</c>.
/// </summary>
public interface INodeLog : ILogSink
{
    IReadOnlyList<LogEvent> Tail(int lines);
    IAsyncEnumerable<LogEvent> FollowAsync(CancellationToken ct);
}

using ClusterTrainer.Training.Control;

namespace ClusterTrainer.Training.Cluster;

/// <summary>Starts a node of the training cluster: coordinator singleton, shard entities, worker host.</summary>
public static class TrainingNode
{
    /// <summary>
    /// Starts the actor system with remoting on <see cref="NodeOptions.Host"/>:<see cref="NodeOptions.Port"/>, joins
    /// the seeds, and starts what the roles ask for. Throws <see cref="ArgumentException"/> for bad options.
    /// </summary>
    public static Task<ITrainingNode> StartAsync(NodeOptions options, INodeLog? log, CancellationToken ct) =>
        throw new NotImplementedException("In progress on main: the cluster runtime of issue 4.");
}

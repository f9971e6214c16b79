using ClusterTrainer.Actors.Cluster;
using ClusterTrainer.Training.Cluster;
using ClusterTrainer.Training.Control;

namespace ClusterTrainer.Training.Tests.Cluster;

/// <summary>In-process training nodes on loopback sharing one SQLite store and checkpoint directory.</summary>
internal sealed class ClusterTestBed : IAsyncDisposable
{
    public const string Secret = "test-secret";
    private readonly List<ITrainingNode> _nodes = new();

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "ct-cluster-" + Guid.NewGuid().ToString("N")[..8]);

    public ClusterSettings Settings { get; } = ClusterSettings.ForTests();

    /// <summary>The store every node uses: the SQLite file in <see cref="Directory"/> unless a test sets another.</summary>
    public string? Store { get; init; }

    public IReadOnlyList<ITrainingNode> Nodes => _nodes;

    public NodeOptions Options(params string[] roles) => new()
    {
        Port = 0,
        Roles = roles,
        Secret = Secret,
        Store = Store ?? "sqlite:" + Path.Combine(Directory, "cluster.db"),
        CheckpointDir = Path.Combine(Directory, "checkpoints"),
        HttpPort = -1,
        Seeds = _nodes.Count > 0 ? [_nodes[0].Address] : [],
    };

    public async Task<ITrainingNode> StartAsync(params string[] roles)
    {
        var node = await TrainingNode.StartAsync(Options(roles), null, Settings, CancellationToken.None);
        _nodes.Add(node);
        return node;
    }

    /// <summary>A small, fast run: the dropout-free MLP on a Fashion-MNIST subset.</summary>
    public static string Spec(int epochs = 2, int batch = 32, int everySteps = 20, string optimizer = "adam", int trainLimit = 1200, int workers = 0,
        string sync = "{ mode: sync }", string trainingExtra = "") => $"""
        name: cluster-test
        model: mlp-classifier
        dataset:
          name: fashion-mnist
          validation_split: 0.1
          train_limit: {trainLimit}
          test_limit: 500
        optimizer:
          name: {optimizer}
          lr: 0.01
        training:
          batch_size: {batch}
          epochs: {epochs}
          seed: 7
          workers: {workers}{trainingExtra}
        sync: {sync}
        checkpoint:
          every_steps: {everySteps}
          keep: 3
        """;

    public static async Task<RunInfo> WaitForAsync(IControlPlane control, string runId, Func<RunInfo, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        RunInfo? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = (await control.GetRunAsync(runId, CancellationToken.None)).Run;
                if (condition(last)) return last;
            }
            catch (ControlException e) when (e.Failure == ControlFailure.Unavailable) { }
            await Task.Delay(200);
        }
        throw new TimeoutException($"Run {runId} did not reach the expected state within {timeout}; last seen: {last}");
    }

    /// <summary>Stops every node (the store and checkpoint folder stay for the next nodes).</summary>
    public async Task StopAllAsync()
    {
        foreach (var node in Enumerable.Reverse(_nodes))
            await node.DisposeAsync();
        _nodes.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAllAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}

using Xunit;

namespace ClusterTrainer.Node.Tests.Process;

/// <summary>
/// The main job end to end on a small problem: `local` starts a coordinator, a ps node and two workers as processes,
/// trains a small spec over HTTP, prints the accuracy lines and stops every node cleanly.
/// </summary>
public sealed class LocalClusterTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(8);
    private readonly string _dir = Directory.CreateTempSubdirectory("ct-local-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string SmallSpec = """
        name: local-launcher-test
        model: mlp-classifier
        dataset:
          name: fashion-mnist
          validation_split: 0.1
          train_limit: 900
          test_limit: 300
        optimizer:
          name: adam
          lr: 0.01
        training:
          batch_size: 32
          epochs: 1
          seed: 7
        checkpoint:
          every_steps: 10
          keep: 2
        """;

    [Fact]
    public async Task Local_trains_a_spec_on_node_processes_prints_the_accuracies_and_stops_every_node()
    {
        string spec = Path.Combine(_dir, "small.yaml");
        await File.WriteAllTextAsync(spec, SmallSpec);
        string cluster = Path.Combine(_dir, "cluster");
        var start = NodeExecutableTests.StartInfo(_dir, "local", "--spec", spec, "--dir", cluster, "--workers", "2", "--ps", "1",
                                                  "--epochs", "2", "--threads", "1", "--ready-timeout", "300");
        using var launcher = System.Diagnostics.Process.Start(start)!;
        var stdout = launcher.StandardOutput.ReadToEndAsync();
        var stderr = launcher.StandardError.ReadToEndAsync();
        try { await launcher.WaitForExitAsync().WaitAsync(Patience); }
        catch (TimeoutException)
        {
            launcher.Kill(entireProcessTree: true);
            Assert.Fail($"local did not finish within {Patience.TotalMinutes} minutes; stderr:\n{await stderr}");
        }

        string output = await stdout, errors = await stderr;
        Assert.True(launcher.ExitCode == 0, $"exit code {launcher.ExitCode}\nstdout:\n{output}\nstderr:\n{errors}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith("val_accuracy=", lines[^2]);
        Assert.StartsWith("test_accuracy=", lines[^1]);
        double test = double.Parse(lines[^1]["test_accuracy=".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(test, 0.3, 1.0); // 2 epochs on 900 images: well above chance (0.1), far from converged
        Assert.Contains(lines, l => l.StartsWith("epoch 2 done:", StringComparison.Ordinal));

        string[] nodes = ["coordinator", "ps-1", "worker-1", "worker-2"];
        Assert.Equal(nodes.Order(), Directory.GetFiles(Path.Combine(cluster, "logs")).Select(Path.GetFileNameWithoutExtension).Order());
        foreach (string node in nodes)
        {
            string log = await File.ReadAllTextAsync(Path.Combine(cluster, "logs", node + ".log"));
            Assert.Contains("left the cluster", log);
            Assert.EndsWith("exited with code 0", log.TrimEnd());
        }
        Assert.True(File.Exists(Path.Combine(cluster, "cluster.db")));
    }
}

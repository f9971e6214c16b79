using ClusterTrainer.TestKit.MultiNode;
using Xunit;

namespace ClusterTrainer.MultiNode.Tests;

/// <summary>
/// Entry point of this test assembly when run as <c>dotnet ClusterTrainer.MultiNode.Tests.dll node-host ...</c>:
/// a cluster node in its own process, for specs that kill nodes with SIGKILL. (The test runner does not use it.)
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args) =>
        args is [NodeHost.Command, .. var rest] ? await NodeHost.RunAsync(rest)
            : Fail("Run the specs with 'dotnet test'; this entry point only serves 'node-host' for process nodes.");

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }
}

[CollectionDefinition("multi-node", DisableParallelization = true)]
public sealed class MultiNodeCollection;

internal static class Specs
{
    public static readonly string HostAssembly = typeof(Program).Assembly.Location;
}

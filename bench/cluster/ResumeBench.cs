namespace ClusterTrainer.Bench.Cluster;

/// <summary>Part 4: seconds from SIGKILL of the coordinator singleton's node to the next applied training step.</summary>
internal static class ResumeBench
{
    public static Task<double> RunAsync(BenchOptions o)
    {
        Console.Error.WriteLine("[resume] not measured: the node host (`ClusterTrainer.Node node` with roles and the coordinator singleton) " +
                                "has not landed on main yet; resume_s=nan");
        return Task.FromResult(double.NaN);
    }
}

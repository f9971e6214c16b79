using System.Globalization;

namespace ClusterTrainer.Bench.Cluster;

/// <summary>One exchange measurement: payload bytes per second both ways together, and the CPU seconds both processes
/// used for the whole exchange (warm-up included).</summary>
internal sealed record ExchangeSample(double BytesPerSecond, long Bytes, double Seconds, double CpuSeconds, string Detail);

/// <summary>
/// Part 2, the parent's side: our gradient push + parameter pull of an N-parameter vector between a worker
/// process and a parameter-server process, and the same number of bytes over one raw full-duplex socket.
/// </summary>
internal static class ExchangeBench
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2), RunTimeout = TimeSpan.FromMinutes(5);
    private const int WarmupSteps = 2;

    /// <summary>Ours then raw with the same bytes, <c>Reps</c> times; returns best ours / best raw.</summary>
    public static async Task<double> RunAsync(BenchOptions o)
    {
        Console.WriteLine($"[exchange] {o.ExchangeParameters:N0} parameters in shards of <= {o.ShardBound(o.ExchangeParameters):N0}, {o.ExchangeSteps} timed steps, {o.Reps} rep(s)");
        double bestOurs = 0, bestRaw = 0;
        for (int rep = 0; rep < o.Reps; rep++)
        {
            var ours = await OursAsync(o);
            var raw = await RawAsync(ours.Bytes);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  rep {rep + 1} ours {ours.BytesPerSecond / 1e9:0.00} GB/s ({ours.Bytes / 1e6:0} MB in {ours.Seconds:0.00} s, {ours.Detail}, {ours.CpuSeconds:0.0} CPU s), " +
                $"raw socket {raw.BytesPerSecond / 1e9:0.00} GB/s ({raw.CpuSeconds:0.0} CPU s)"));
            bestOurs = Math.Max(bestOurs, ours.BytesPerSecond);
            bestRaw = Math.Max(bestRaw, raw.BytesPerSecond);
        }
        return bestOurs / bestRaw;
    }

    public static async Task<ExchangeSample> OursAsync(BenchOptions o)
    {
        var env = NodeEnvironment.For(NodeEnvironment.NewSecret(), torchThreads: 1);
        string parameters = I(o.ExchangeParameters), maxShard = I(o.ShardBound(o.ExchangeParameters));
        await using var ps = ChildProcess.StartNode(ExchangeNodeRoles.Ps, [parameters, maxShard], env);
        await using var worker = ChildProcess.StartNode(ExchangeNodeRoles.Worker, [parameters, maxShard, I(WarmupSteps), I(o.ExchangeSteps)], env);
        string psAddress = await ps.ExpectAsync("address", StartTimeout);
        await worker.ExpectAsync("address", StartTimeout);
        string shards = await ps.ExpectAsync("ready", StartTimeout);
        double cpu = ps.CpuSeconds() + worker.CpuSeconds();
        worker.Send("ps " + psAddress);
        var kv = KeyValues.Parse(await worker.ExpectAsync("result", RunTimeout));
        cpu = ps.CpuSeconds() + worker.CpuSeconds() - cpu;
        long version = long.Parse(kv["version"], CultureInfo.InvariantCulture);
        if (version != WarmupSteps + o.ExchangeSteps)
            throw new InvalidOperationException($"the exchange ended at parameter version {version}, expected {WarmupSteps + o.ExchangeSteps}");
        return new ExchangeSample(kv.Double("bytes_per_s"), long.Parse(kv["bytes"], CultureInfo.InvariantCulture), kv.Double("seconds"), cpu, shards);
    }

    /// <summary>The baseline: <paramref name="bytes"/> in all, half each way at once, over one plain socket.</summary>
    public static async Task<ExchangeSample> RawAsync(long bytes)
    {
        var env = NodeEnvironment.For("unused", torchThreads: 1);
        string each = I(bytes / 2);
        await using var ps = ChildProcess.StartNode(RawSocketNodes.Ps, [each], env);
        string port = await ps.ExpectAsync("port", StartTimeout);
        double psCpu = ps.CpuSeconds();
        await using var worker = ChildProcess.StartNode(RawSocketNodes.Worker, [each, port], env);
        var kv = KeyValues.Parse(await worker.ExpectAsync("result", RunTimeout));
        double cpu = ps.CpuSeconds() - psCpu + worker.CpuSeconds();
        return new ExchangeSample(kv.Double("bytes_per_s"), long.Parse(kv["bytes"], CultureInfo.InvariantCulture), kv.Double("seconds"), cpu, "raw");
    }

    private static string I(long v) => v.ToString(CultureInfo.InvariantCulture);
}

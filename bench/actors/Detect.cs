using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Cluster;
using ClusterTrainer.Actors.Remote;

namespace ClusterTrainer.Bench.Actors;

/// <summary>
/// detect_s: seconds from SIGKILL of a node in another process to UnreachableMember on an observer,
/// with the DEFAULT cluster settings. The benchmark re-launches itself as that node: Program must start
/// with <c>if (await Detect.RunChildIfAskedAsync(args) is int code) return code;</c>.
/// </summary>
public static class Detect
{
    public const string ChildArg = "--detect-node";
    private const string ChildEnv = "CLUSTERTRAINER_DETECT_CHILD";
    private const string Secret = "bench-detect-secret";

    private sealed class Recorder : ReceiveActor
    {
        public Recorder(ConcurrentQueue<(IClusterDomainEvent, long)> sink) =>
            ReceiveAny(m => { if (m is IClusterDomainEvent e) sink.Enqueue((e, Stopwatch.GetTimestamp())); });
    }

    /// <summary>Runs the victim node when launched with <see cref="ChildArg"/>; null otherwise.</summary>
    public static async Task<int?> RunChildIfAskedAsync(string[] args)
    {
        if (args is not [ChildArg, var seed]) return null;
        var system = ActorSystem.Create("detect", new ActorSystemOptions { LogLevel = LogLevel.Error }
            .WithRemoting(new RemoteSettings { Host = "127.0.0.1", Port = 0, Secret = Secret }));
        var cluster = Cluster.Get(system, new ClusterSettings { SeedNodes = [NodeAddress.Parse(seed)] });
        cluster.JoinSeedNodes();
        Console.WriteLine($"READY {cluster.SelfAddress}");
        await system.WhenTerminated;
        return 0;
    }

    /// <summary>Measures detect_s; null when the victim could not be started or never joined.</summary>
    public static async Task<double?> MeasureSecondsAsync()
    {
        if (Environment.GetEnvironmentVariable(ChildEnv) == "1") return null; // never recurse
        var observer = ActorSystem.Create("detect", new ActorSystemOptions { LogLevel = LogLevel.Error }
            .WithRemoting(new RemoteSettings { Host = "127.0.0.1", Port = 0, Secret = Secret }));
        Process? child = null;
        try
        {
            var cluster = Cluster.Get(observer, new ClusterSettings { SeedNodes = [Remoting.Get(observer).NodeAddress] });
            var events = new ConcurrentQueue<(IClusterDomainEvent, long)>();
            cluster.Subscribe(observer.ActorOf(Props.CreateBy(() => new Recorder(events))), InitialStateMode.NoInitialState,
                typeof(MemberUp), typeof(UnreachableMember));
            cluster.JoinSeedNodes();
            child = StartChild(cluster.SelfAddress);
            var victim = await WaitAsync(() => events.Select(e => e.Item1).OfType<MemberUp>()
                .FirstOrDefault(e => e.Member.Address != cluster.SelfAddress)?.Member.Address, TimeSpan.FromSeconds(60));
            if (victim is null) return null;
            // Let the failure detector learn the heartbeat rhythm, as in a running cluster.
            await Task.Delay(TimeSpan.FromSeconds(5));
            var killedAt = Stopwatch.GetTimestamp();
            child.Kill(entireProcessTree: true); // SIGKILL
            var seenAt = await WaitAsync(() => events.Where(e => e.Item1 is UnreachableMember u && u.Member.Address == victim)
                .Select(e => (long?)e.Item2).FirstOrDefault(), TimeSpan.FromSeconds(60));
            return seenAt is { } t ? Stopwatch.GetElapsedTime(killedAt, t).TotalSeconds : null;
        }
        finally
        {
            if (child is { HasExited: false }) child.Kill(entireProcessTree: true);
            await Cluster.Get(observer).TerminateWithoutLeavingAsync();
        }
    }

    private static Process StartChild(NodeAddress seed)
    {
        var exe = Environment.ProcessPath ?? "dotnet";
        var psi = new ProcessStartInfo(exe) { UseShellExecute = false, RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet") psi.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        psi.ArgumentList.Add(ChildArg);
        psi.ArgumentList.Add(seed.ToString());
        psi.Environment[ChildEnv] = "1";
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {exe}");
        p.OutputDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        return p;
    }

    private static async Task<T?> WaitAsync<T>(Func<T?> probe, TimeSpan max)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < max)
        {
            if (probe() is { } v) return v;
            await Task.Delay(20);
        }
        return default;
    }
}

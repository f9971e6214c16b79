using System.Globalization;
using ClusterTrainer.Bench.Actors;

// bench/actors: each measurement runs next to its baseline in the same process; the best of a few
// rounds is kept (the machine is shared). Ends with one line: actors key=value ...
int rounds = args.Length > 0 && int.TryParse(args[0], out int r) ? r : 3;
var inv = CultureInfo.InvariantCulture;

double remoteSmall = 0;
for (int i = 0; i < rounds; i++)
{
    double v = await RemoteBench.SmallMessagesPerSecondAsync(1_000_000);
    Console.WriteLine($"remote small messages: {v:N0}/s");
    remoteSmall = Math.Max(remoteSmall, v);
}

byte[] buffer = GC.AllocateUninitializedArray<byte>(64 * 1024 * 1024, pinned: true);
new Random(1).NextBytes(buffer);
double bestRatio = 0;
for (int i = 0; i < rounds; i++)
{
    double raw = await RemoteBench.RawSocketBytesPerSecondAsync(buffer, 16);
    double ours = await RemoteBench.TensorBytesPerSecondAsync(buffer, 16);
    Console.WriteLine($"64 MiB buffers: remoting {ours / 1e9:0.00} GB/s, raw socket {raw / 1e9:0.00} GB/s, ratio {ours / raw:0.00}");
    bestRatio = Math.Max(bestRatio, ours / raw);
}

var (localMsgs, localRatio) = await LocalBench.RunAsync(rounds);
double? detect = await Detect.MeasureSecondsAsync();

Console.WriteLine(string.Create(inv,
    $"actors local_msgs_per_s={localMsgs:0} local_ratio={localRatio:0.00} remote_small_msgs_per_s={remoteSmall:0} remote_bytes_ratio={bestRatio:0.00} detect_s={(detect is { } d ? d.ToString("0.00", inv) : "NA")}"));

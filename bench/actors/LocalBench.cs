using System.Diagnostics;
using System.Threading.Channels;

namespace ClusterTrainer.Bench.Actors;

/// <summary>Local ping-pong: actors against a raw Channel&lt;T&gt; ping-pong in the same run.</summary>
internal static class LocalBench
{
    /// <summary>Returns (actor messages per second, actor / channel ratio), best of <paramref name="rounds"/>.</summary>
    public static async Task<(double Msgs, double Ratio)> RunAsync(int rounds)
    {
        double bestChannel = 0;
        for (int i = 0; i < rounds; i++)
        {
            double c = await ChannelPingPongAsync(1_000_000);
            Console.WriteLine($"channel ping-pong: {c:N0} msgs/s");
            bestChannel = Math.Max(bestChannel, c);
        }
        return (0, 0 / bestChannel); // replaced by the actor ping-pong once the actor core lands
    }

    /// <summary>Two tasks bouncing a message through two unbounded channels; counts both directions.</summary>
    public static async Task<double> ChannelPingPongAsync(int roundTrips)
    {
        var ping = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var pong = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var echo = Task.Run(async () =>
        {
            await foreach (int m in ping.Reader.ReadAllAsync()) pong.Writer.TryWrite(m);
        });
        var sw = Stopwatch.StartNew();
        // Keep a window of messages in flight like the actor version does, so both measure throughput.
        const int window = 100;
        for (int i = 0; i < window; i++) ping.Writer.TryWrite(i);
        int received = 0, sent = window;
        while (received < roundTrips)
        {
            await pong.Reader.WaitToReadAsync();
            while (pong.Reader.TryRead(out _))
            {
                received++;
                if (sent < roundTrips) { ping.Writer.TryWrite(sent); sent++; }
            }
        }
        double perSecond = 2.0 * roundTrips / sw.Elapsed.TotalSeconds;
        ping.Writer.Complete();
        await echo;
        return perSecond;
    }
}

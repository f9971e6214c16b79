using System.Diagnostics;
using System.Threading.Channels;
using ClusterTrainer.Actors;

namespace ClusterTrainer.Bench.Actors;

/// <summary>Local ping-pong: two actors against two tasks over raw Channel&lt;T&gt;s, same window, same run.</summary>
internal static class LocalBench
{
    private const int Window = 100;

    /// <summary>Returns (actor messages per second, actor / channel ratio), best of <paramref name="rounds"/> each.</summary>
    public static async Task<(double Msgs, double Ratio)> RunAsync(int rounds)
    {
        double bestChannel = 0, bestActors = 0;
        for (int i = 0; i < rounds; i++)
        {
            double c = await ChannelPingPongAsync(1_000_000);
            double a = await ActorPingPongAsync(1_000_000);
            Console.WriteLine($"local ping-pong: actors {a:N0} msgs/s, channel {c:N0} msgs/s");
            bestChannel = Math.Max(bestChannel, c);
            bestActors = Math.Max(bestActors, a);
        }
        return (bestActors, bestActors / bestChannel);
    }

    /// <summary>Two tasks bouncing messages through two unbounded channels; counts both directions.</summary>
    public static async Task<double> ChannelPingPongAsync(int roundTrips)
    {
        var ping = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var pong = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var echo = Task.Run(async () =>
        {
            await foreach (int m in ping.Reader.ReadAllAsync()) pong.Writer.TryWrite(m);
        });
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < Window; i++) ping.Writer.TryWrite(i);
        int received = 0, sent = Window;
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

    private sealed record Msg(int N);

    private sealed class Ponger : ReceiveActor
    {
        public Ponger() => Receive<Msg>(m => Sender.Tell(m, Self));
    }

    private sealed class Pinger : ReceiveActor
    {
        public Pinger(IActorRef ponger, int roundTrips, TaskCompletionSource done)
        {
            int received = 0, sent = 0;
            Receive<string>(_ =>
            {
                for (; sent < Window; sent++) ponger.Tell(new Msg(sent), Self);
            });
            Receive<Msg>(m =>
            {
                if (++received == roundTrips) { done.TrySetResult(); return; }
                if (sent < roundTrips) { sent++; Sender.Tell(m, Self); }
            });
        }
    }

    public static async Task<double> ActorPingPongAsync(int roundTrips)
    {
        using var system = ActorSystem.Create("bench", new ActorSystemOptions { TerminateOnSigterm = false });
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ponger = system.ActorOf(Props.Create(() => new Ponger()), "ponger");
        var pinger = system.ActorOf(Props.Create(() => new Pinger(ponger, roundTrips, done)), "pinger");
        var sw = Stopwatch.StartNew();
        pinger.Tell("start", null);
        await done.Task;
        double perSecond = 2.0 * roundTrips / sw.Elapsed.TotalSeconds;
        await system.Terminate();
        return perSecond;
    }
}

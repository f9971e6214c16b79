using System.Diagnostics;
using ClusterTrainer.Actors;

namespace ClusterTrainer.Bench.Actors;

/// <summary>
/// Two local actors bouncing messages with a window in flight, shaped like
/// <see cref="LocalBench.ChannelPingPongAsync"/> so the two numbers compare directly.
/// </summary>
internal static class ActorPingPong
{
    private sealed record Start(int RoundTrips, int Window, TaskCompletionSource Done);

    private sealed class Echo : ActorBase
    {
        protected override bool Receive(object message)
        {
            Sender.Tell(message, Self);
            return true;
        }
    }

    private sealed class Pinger(IActorRef echo) : ActorBase
    {
        private int _received, _sent, _total;
        private TaskCompletionSource? _done;

        protected override bool Receive(object message)
        {
            if (message is Start s)
            {
                _total = s.RoundTrips;
                _done = s.Done;
                for (var i = 0; i < s.Window; i++) echo.Tell(Boxed.One, Self);
                _sent = s.Window;
                return true;
            }
            if (++_received == _total) _done!.TrySetResult();
            else if (_sent < _total) { _sent++; echo.Tell(message, Self); }
            return true;
        }
    }

    private static class Boxed
    {
        public static readonly object One = 1;
    }

    /// <summary>Messages per second counted in both directions.</summary>
    public static async Task<double> RunAsync(int roundTrips, int throughput = 30)
    {
        var system = ActorSystem.Create("bench", new ActorSystemOptions
        {
            LogLevel = LogLevel.Warning, TerminateOnSigterm = false, Throughput = throughput,
        });
        try
        {
            var echo = system.ActorOf(Props.CreateBy(() => new Echo()), "echo");
            var pinger = system.ActorOf(Props.CreateBy(() => new Pinger(echo)), "pinger");
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var sw = Stopwatch.StartNew();
            pinger.Tell(new Start(roundTrips, 100, done), null);
            await done.Task;
            return 2.0 * roundTrips / sw.Elapsed.TotalSeconds;
        }
        finally
        {
            await system.Terminate();
        }
    }
}

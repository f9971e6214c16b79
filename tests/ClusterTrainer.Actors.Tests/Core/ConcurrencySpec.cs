using ClusterTrainer.Actors;
using Xunit;

namespace ClusterTrainer.Actors.Tests.Core;

/// <summary>Many senders and actors at once: every message is processed exactly once, one at a time per actor.</summary>
public sealed class ConcurrencySpec : TestKit.TestKit
{
    private sealed record Report;

    /// <summary>Sums what it receives and detects concurrent execution of its own receive.</summary>
    private sealed class Summer : UntypedActor
    {
        private long _sum;
        private int _count;
        private int _inside;
        private bool _overlap;

        protected override void OnReceive(object message)
        {
            if (Interlocked.Increment(ref _inside) != 1) _overlap = true;
            switch (message)
            {
                case int i:
                    _sum += i;
                    _count++;
                    break;
                case Report:
                    Sender.Tell((_count, _sum, _overlap));
                    break;
            }
            Interlocked.Decrement(ref _inside);
        }
    }

    [Fact]
    public void Every_message_is_processed_once_and_never_concurrently()
    {
        const int actors = 50, senders = 4, perSender = 500;
        var refs = Enumerable.Range(0, actors).Select(i => Sys.ActorOf(Props.Create<Summer>(), $"summer-{i}")).ToArray();
        Parallel.For(0, senders, new ParallelOptions { MaxDegreeOfParallelism = senders }, s =>
        {
            for (var i = 1; i <= perSender; i++)
                foreach (var r in refs) r.Tell(i, ActorRefs.NoSender);
        });
        const long expectedSum = senders * (long)perSender * (perSender + 1) / 2;
        foreach (var r in refs)
        {
            r.Tell(new Report());
            var (count, sum, overlap) = ExpectMsg<(int, long, bool)>(TimeSpan.FromSeconds(30));
            Assert.Equal(senders * perSender, count);
            Assert.Equal(expectedSum, sum);
            Assert.False(overlap, $"{r.Path} ran its receive concurrently");
        }
    }

    private sealed class Spawner : ReceiveActor
    {
        public Spawner() => Receive<int>(depth =>
        {
            if (depth == 0) { Sender.Tell("leaf"); return; }
            Context.ActorOf(Props.Create<Spawner>()).Forward(depth - 1);
            Context.ActorOf(Props.Create<Spawner>()).Forward(depth - 1);
        });
    }

    [Fact]
    public async Task A_deep_tree_of_actors_works_and_terminates()
    {
        var root = Sys.ActorOf(Props.Create<Spawner>(), "tree");
        root.Tell(8);
        Assert.Equal(256, ReceiveN(256, TimeSpan.FromSeconds(30)).Count(m => m is "leaf"));
        Watch(root);
        Sys.Stop(root);
        ExpectTerminated(root, TimeSpan.FromSeconds(30));
        await Sys.Terminate().WaitAsync(TimeSpan.FromSeconds(30));
    }
}

using ClusterTrainer.Actors;
using Xunit;

namespace ClusterTrainer.Actors.Tests.Core;

/// <summary><see cref="Props.WithPinnedThread"/>: every message of the actor on one thread of its own, for its whole life.</summary>
public sealed class PinnedThreadSpec : TestKit.TestKit
{
    private sealed record WhichThread;
    private sealed record Fail;
    private sealed record AsyncHop;

    private sealed class Reporter : ReceiveActor
    {
        public Reporter()
        {
            Receive<WhichThread>(_ => Sender.Tell(Thread.CurrentThread));
            Receive<Fail>(_ => throw new InvalidOperationException("boom"));
            ReceiveAsync<AsyncHop>(async _ =>
            {
                var before = Thread.CurrentThread;
                await Task.Delay(10);
                Sender.Tell((before, Thread.CurrentThread));
            });
        }
    }

    private Thread ThreadOf(IActorRef actor)
    {
        actor.Tell(new WhichThread());
        return ExpectMsg<Thread>();
    }

    [Fact]
    public void Every_message_runs_on_the_same_dedicated_thread()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Reporter()).WithPinnedThread(), "pinned");
        var first = ThreadOf(actor);
        Assert.False(first.IsThreadPoolThread);
        Assert.Equal("actor pinned", first.Name);
        for (int i = 0; i < 50; i++) Assert.Same(first, ThreadOf(actor));
    }

    [Fact]
    public void Two_pinned_actors_get_two_threads_and_pool_actors_stay_on_the_pool()
    {
        var a = ThreadOf(Sys.ActorOf(Props.Create(() => new Reporter()).WithPinnedThread()));
        var b = ThreadOf(Sys.ActorOf(Props.Create(() => new Reporter()).WithPinnedThread()));
        var pooled = ThreadOf(Sys.ActorOf(Props.Create(() => new Reporter())));
        Assert.NotSame(a, b);
        Assert.True(pooled.IsThreadPoolThread);
    }

    [Fact]
    public void Await_continuations_come_back_to_the_pinned_thread()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Reporter()).WithPinnedThread());
        var own = ThreadOf(actor);
        actor.Tell(new AsyncHop());
        var (before, after) = ExpectMsg<(Thread, Thread)>();
        Assert.Same(own, before);
        Assert.Same(own, after);
    }

    [Fact]
    public void A_restart_keeps_the_thread_and_a_stop_ends_it()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Reporter()).WithPinnedThread());
        var own = ThreadOf(actor);
        actor.Tell(new Fail()); // the default strategy restarts it: same cell, same mailbox
        Assert.Same(own, ThreadOf(actor));
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
        Assert.True(own.Join(TimeSpan.FromSeconds(5)), "the pinned thread did not end after its actor stopped");
    }

    [Fact]
    public void Messages_sent_from_many_threads_are_all_handled_in_order_per_sender()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Echo()).WithPinnedThread());
        var probes = Enumerable.Range(0, 4).Select(_ => CreateTestProbe()).ToArray();
        Parallel.ForEach(probes, p => { for (int i = 0; i < 200; i++) actor.Tell(i, p.Ref); });
        foreach (var p in probes)
            for (int i = 0; i < 200; i++) p.ExpectMsg(i);
    }

    private sealed class Echo : ReceiveActor
    {
        public Echo() => Receive<int>(i => Sender.Tell(i));
    }
}

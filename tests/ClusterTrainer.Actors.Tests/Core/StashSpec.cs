using ClusterTrainer.Actors;
using Xunit;

namespace ClusterTrainer.Actors.Tests.Core;

public sealed class StashSpec : TestKit.TestKit
{
    private sealed record Ready;
    private sealed record Fail;

    /// <summary>Stashes strings until Ready, then replays them in order.</summary>
    private sealed class Gate : ReceiveActor, IWithStash
    {
        public IStash Stash { get; set; } = null!;

        public Gate()
        {
            Receive<string>(_ => Stash.Stash());
            Receive<Ready>(_ =>
            {
                Become(() => Receive<string>(s => Sender.Tell(s)));
                Stash.UnstashAll();
            });
            Receive<Fail>(_ => throw new InvalidOperationException("restart with stashed messages"));
        }
    }

    [Fact]
    public void UnstashAll_replays_in_original_order_before_newer_messages()
    {
        var gate = Sys.ActorOf(Props.Create<Gate>());
        gate.Tell("a");
        gate.Tell("b");
        gate.Tell("c");
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        gate.Tell(new Ready());
        gate.Tell("d");
        ExpectMsg("a");
        ExpectMsg("b");
        ExpectMsg("c");
        ExpectMsg("d");
    }

    [Fact]
    public void Stash_overflow_fails_the_actor_with_a_clear_error()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(LogEvent));
        var gate = Sys.ActorOf(Props.Create<Gate>().WithStashCapacity(2));
        gate.Tell("a");
        gate.Tell("b");
        gate.Tell("c");
        var log = FishForMessage<LogEvent>(e => e.Cause is StashOverflowException);
        Assert.Contains("Stash", log.Cause!.Message);
        Assert.Contains("full (2 messages)", log.Cause.Message);
    }

    [Fact]
    public void Stashed_messages_survive_a_restart()
    {
        var gate = Sys.ActorOf(Props.Create<Gate>());
        gate.Tell("a");
        gate.Tell("b");
        gate.Tell(new Fail());
        // after the restart the fresh instance stashes a and b again, then releases them
        gate.Tell(new Ready());
        ExpectMsg("a");
        ExpectMsg("b");
    }

    private sealed class DoubleStash : ReceiveActor, IWithStash
    {
        public IStash Stash { get; set; } = null!;

        public DoubleStash() => Receive<string>(_ =>
        {
            Stash.Stash();
            try { Stash.Stash(); }
            catch (InvalidOperationException e) { Sender.Tell(e.Message); }
        });
    }

    [Fact]
    public void Stashing_the_same_message_twice_is_refused()
    {
        Sys.ActorOf(Props.Create<DoubleStash>()).Tell("x");
        Assert.Contains("already stashed", ExpectMsg<string>());
    }
}

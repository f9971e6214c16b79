using ClusterTrainer.Actors;
using Xunit;

namespace ClusterTrainer.Actors.Tests.Core;

public sealed class MailboxSpec : TestKit.TestKit
{
    private sealed record Release;

    /// <summary>Blocks in its first message until released, so later messages pile up in the mailbox.</summary>
    private sealed class Blocked : ReceiveActor
    {
        public Blocked(TaskCompletionSource gate)
        {
            Receive<Release>(_ => gate.Task.Wait());
            Receive<int>(i => Sender.Tell(i));
        }
    }

    private (IActorRef Actor, TaskCompletionSource Gate) BlockedActor(MailboxOptions mailbox)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = Sys.ActorOf(Props.Create(() => new Blocked(gate)).WithMailbox(mailbox));
        actor.Tell(new Release());
        // wait until the actor took Release out of the mailbox and is blocked in it
        AwaitCondition(() => MailboxCount(actor) == 0);
        return (actor, gate);
    }

    private static int MailboxCount(IActorRef actor) => actor.MailboxCount();

    [Fact]
    public void DropNewest_sends_the_overflow_to_dead_letters()
    {
        var (actor, gate) = BlockedActor(MailboxOptions.Bounded(3, MailboxOverflowPolicy.DropNewest));
        Sys.EventStream.Subscribe(TestActor, typeof(DeadLetter));
        for (var i = 1; i <= 5; i++) actor.Tell(i);
        Assert.Equal(4, ExpectMsg<DeadLetter>().Message);
        Assert.Equal(5, ExpectMsg<DeadLetter>().Message);
        Assert.Equal(3, MailboxCount(actor));
        gate.SetResult();
        ExpectMsg(1);
        ExpectMsg(2);
        ExpectMsg(3);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void DropOldest_keeps_the_newest_messages()
    {
        var (actor, gate) = BlockedActor(MailboxOptions.Bounded(3, MailboxOverflowPolicy.DropOldest));
        Sys.EventStream.Subscribe(TestActor, typeof(DeadLetter));
        for (var i = 1; i <= 5; i++) actor.Tell(i);
        Assert.Equal(1, ExpectMsg<DeadLetter>().Message);
        Assert.Equal(2, ExpectMsg<DeadLetter>().Message);
        gate.SetResult();
        ExpectMsg(3);
        ExpectMsg(4);
        ExpectMsg(5);
    }

    [Fact]
    public void Fail_policy_throws_to_the_sender()
    {
        var (actor, gate) = BlockedActor(MailboxOptions.Bounded(2, MailboxOverflowPolicy.Fail));
        actor.Tell(1);
        actor.Tell(2);
        var e = Assert.Throws<MailboxFullException>(() => actor.Tell(3));
        Assert.Contains("full (2 messages)", e.Message);
        Assert.Contains(actor.Path.ToString(), e.Message);
        gate.SetResult();
        ExpectMsg(1);
        ExpectMsg(2);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Bounded_capacity_must_be_positive()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => MailboxOptions.Bounded(0));
        Assert.Contains("at least 1", e.Message);
    }

    [Fact]
    public void Unbounded_mailbox_exposes_its_length_and_keeps_order_under_concurrent_senders()
    {
        var (actor, gate) = BlockedActor(MailboxOptions.Unbounded);
        const int perSender = 2_000;
        Parallel.For(0, 4, s =>
        {
            for (var i = 0; i < perSender; i++) actor.Tell(s * perSender + i, TestActor);
        });
        Assert.Equal(4 * perSender, MailboxCount(actor));
        gate.SetResult();
        var last = new int[4];
        Array.Fill(last, -1);
        foreach (var m in ReceiveN(4 * perSender, TimeSpan.FromSeconds(30)))
        {
            var v = (int)m;
            var s = v / perSender;
            Assert.True(v > last[s], $"sender {s}: {v} arrived after {last[s]}");
            last[s] = v;
        }
    }
}

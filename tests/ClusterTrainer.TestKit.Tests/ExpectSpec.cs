using ClusterTrainer.Actors;
using ClusterTrainer.TestKit;
using Xunit;

namespace ClusterTrainer.TestKit.Tests;

/// <summary>The TestKit's assertions pass when they should and fail, with a useful message, when they should not.</summary>
public sealed class ExpectSpec : TestKit
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(100);

    /// <summary>Waits until the TestActor has queued the messages, so short expectations are not racing delivery.</summary>
    private void AwaitQueued(int count) => AwaitCondition(() => QueuedMessageCount >= count, TimeSpan.FromSeconds(10));

    [Fact]
    public void ExpectMsg_returns_the_message_and_sender()
    {
        TestActor.Tell("hello", TestActor);
        Assert.Equal("hello", ExpectMsg<string>());
        Assert.Equal(TestActor, LastSender);
        TestActor.Tell(42, ActorRefs.NoSender);
        Assert.Equal(42, ExpectMsg(42));
        TestActor.Tell("abc", ActorRefs.NoSender);
        Assert.Equal("abc", ExpectMsg<string>(s => s.StartsWith('a')));
    }

    [Fact]
    public void ExpectMsg_times_out_with_a_clear_message()
    {
        var e = Assert.Throws<TestKitAssertionException>(() => ExpectMsg<string>(Short, "the greeting"));
        Assert.Contains("Timeout (100 ms)", e.Message);
        Assert.Contains("a String", e.Message);
        Assert.Contains("the greeting", e.Message);
    }

    [Fact]
    public void ExpectMsg_of_the_wrong_type_or_value_says_what_arrived()
    {
        TestActor.Tell(5, ActorRefs.NoSender);
        var wrongType = Assert.Throws<TestKitAssertionException>(() => ExpectMsg<string>());
        Assert.Contains("Expected a String", wrongType.Message);
        Assert.Contains("Int32 {5}", wrongType.Message);

        TestActor.Tell("b", ActorRefs.NoSender);
        var wrongValue = Assert.Throws<TestKitAssertionException>(() => ExpectMsg("a"));
        Assert.Contains("String {a}", wrongValue.Message);
        Assert.Contains("received String {b}", wrongValue.Message);

        TestActor.Tell("zzz", ActorRefs.NoSender);
        var noMatch = Assert.Throws<TestKitAssertionException>(() => ExpectMsg<string>(s => s == "a"));
        Assert.Contains("does not match", noMatch.Message);
    }

    [Fact]
    public void ExpectNoMsg_passes_on_silence_and_fails_on_a_message()
    {
        ExpectNoMsg(Short);
        TestActor.Tell("surprise", ActorRefs.NoSender);
        AwaitQueued(1);
        var e = Assert.Throws<TestKitAssertionException>(() => ExpectNoMsg(Short));
        Assert.Contains("Expected no message", e.Message);
        Assert.Contains("surprise", e.Message);
    }

    [Fact]
    public void ExpectMsgAnyOf_and_AllOf()
    {
        TestActor.Tell("b", ActorRefs.NoSender);
        Assert.Equal("b", ExpectMsgAnyOf("a", "b"));
        TestActor.Tell("c", ActorRefs.NoSender);
        var e = Assert.Throws<TestKitAssertionException>(() => ExpectMsgAnyOf("a", "b"));
        Assert.Contains("any of", e.Message);

        TestActor.Tell(2, ActorRefs.NoSender);
        TestActor.Tell(1, ActorRefs.NoSender);
        Assert.Equal([2, 1], ExpectMsgAllOf(1, 2));
        TestActor.Tell(1, ActorRefs.NoSender);
        TestActor.Tell(3, ActorRefs.NoSender);
        var all = Assert.Throws<TestKitAssertionException>(() => ExpectMsgAllOf(1, 2));
        Assert.Contains("unexpected Int32 {3}", all.Message);
    }

    [Fact]
    public void ReceiveN_collects_and_times_out_with_a_count()
    {
        for (var i = 0; i < 3; i++) TestActor.Tell(i, ActorRefs.NoSender);
        Assert.Equal(new object[] { 0, 1, 2 }, ReceiveN(3));
        TestActor.Tell(9, ActorRefs.NoSender);
        AwaitQueued(1);
        var e = Assert.Throws<TestKitAssertionException>(() => ReceiveN(2, Short));
        Assert.Contains("after 1 of 2", e.Message);
    }

    [Fact]
    public void FishForMessage_skips_until_the_match_and_lists_what_it_skipped_on_failure()
    {
        TestActor.Tell("x", ActorRefs.NoSender);
        TestActor.Tell("y", ActorRefs.NoSender);
        TestActor.Tell("target", ActorRefs.NoSender);
        Assert.Equal("target", FishForMessage(m => m is "target"));
        TestActor.Tell("noise", ActorRefs.NoSender);
        AwaitQueued(1);
        var e = Assert.Throws<TestKitAssertionException>(() => FishForMessage<string>(s => s == "never", Short));
        Assert.Contains("noise", e.Message);
    }

    [Fact]
    public void Probe_reply_forward_and_last_sender()
    {
        var probe = CreateTestProbe();
        var other = CreateTestProbe();
        probe.Ref.Tell("question", TestActor);
        probe.ExpectMsg("question");
        Assert.Equal(TestActor, probe.LastSender);
        probe.Reply("answer");
        ExpectMsg("answer");
        Assert.Equal(probe.Ref, LastSender);
        probe.Forward(other.Ref);
        other.ExpectMsg("question");
        Assert.Equal(TestActor, other.LastSender);
        var e = Assert.Throws<InvalidOperationException>(() => CreateTestProbe().Reply("x"));
        Assert.Contains("ExpectMsg before Reply", e.Message);
    }

    [Fact]
    public void Watch_and_ExpectTerminated()
    {
        var probe = CreateTestProbe();
        Watch(probe);
        Sys.Stop(probe); // a probe can be used wherever a ref is expected
        Assert.Equal(probe.Ref, ExpectTerminated(probe).ActorRef);
        var other = CreateTestProbe();
        Assert.Throws<TestKitAssertionException>(() => ExpectTerminated(other.Ref, Short));
    }

    [Fact]
    public void Implicit_sender_of_test_code_is_the_TestActor()
    {
        var probe = CreateTestProbe();
        probe.Ref.Tell("from test");
        probe.ExpectMsg("from test");
        Assert.Equal(TestActor, probe.LastSender);
    }

    [Fact]
    public void IgnoreMessages_drops_noise_until_switched_off()
    {
        IgnoreMessages<string>(s => s.StartsWith("heartbeat"));
        TestActor.Tell("heartbeat 1", ActorRefs.NoSender);
        TestActor.Tell("real", ActorRefs.NoSender);
        ExpectMsg("real");
        IgnoreNoMessages();
        TestActor.Tell("heartbeat 2", ActorRefs.NoSender);
        ExpectMsg("heartbeat 2");
    }

    [Fact]
    public void ReceiveWhile_stops_at_the_first_other_message_and_leaves_it()
    {
        foreach (var m in new object[] { 1, 2, 3, "stop", 4 }) TestActor.Tell(m, ActorRefs.NoSender);
        Assert.Equal([1, 2, 3], ReceiveWhile<int>(_ => true));
        ExpectMsg("stop");
        ExpectMsg(4);
        Assert.Empty(ReceiveWhile<int>(_ => true, TimeSpan.FromMilliseconds(100)));
    }
}

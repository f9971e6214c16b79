using ClusterTrainer.Actors;
using Xunit;

namespace ClusterTrainer.Actors.Tests.Core;

public sealed class TellAskSpec : TestKit.TestKit
{
    private sealed record Ping(int N);
    private sealed record Pong(int N);
    private sealed record Fail(string Why);
    private sealed record Silent;

    private sealed class Echo : ReceiveActor
    {
        public Echo()
        {
            Receive<Ping>(p => Sender.Tell(new Pong(p.N)));
            Receive<Fail>(f => Sender.Tell(new Status.Failure(new InvalidOperationException(f.Why))));
            Receive<Silent>(_ => { });
            Receive<string>(s => Sender.Tell(s.ToUpperInvariant()));
        }
    }

    /// <summary>Forward keeps the original sender, so the echo replies straight to the test.</summary>
    private sealed class Relay : ReceiveActor
    {
        public Relay(IActorRef target) => ReceiveAny(m => target.Forward(m));
    }

    [Fact]
    public void Tell_from_test_code_uses_TestActor_as_implicit_sender()
    {
        var echo = Sys.ActorOf(Props.Create<Echo>(), "echo");
        echo.Tell(new Ping(1));
        Assert.Equal(new Pong(1), ExpectMsg<Pong>());
        Assert.Equal(echo, LastSender);
    }

    [Fact]
    public async Task Ask_returns_typed_reply()
    {
        var echo = Sys.ActorOf(Props.Create<Echo>());
        var pong = await echo.Ask<Pong>(new Ping(7), TimeSpan.FromSeconds(5));
        Assert.Equal(7, pong.N);
        Assert.Equal("HI", await echo.Ask<string>("hi", TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Ask_failure_reply_is_thrown_as_its_cause()
    {
        var echo = Sys.ActorOf(Props.Create<Echo>());
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => echo.Ask<Pong>(new Fail("boom"), TimeSpan.FromSeconds(5)));
        Assert.Equal("boom", e.Message);
    }

    [Fact]
    public async Task Ask_timeout_names_target_and_timeout()
    {
        var echo = Sys.ActorOf(Props.Create<Echo>(), "quiet");
        var e = await Assert.ThrowsAsync<AskTimeoutException>(() => echo.Ask<Pong>(new Silent(), TimeSpan.FromMilliseconds(200)));
        Assert.Contains("/user/quiet", e.Message);
        Assert.Contains("200 ms", e.Message);
    }

    [Fact]
    public async Task Ask_with_wrong_reply_type_says_what_arrived()
    {
        var echo = Sys.ActorOf(Props.Create<Echo>());
        var e = await Assert.ThrowsAsync<InvalidCastException>(() => echo.Ask<Pong>("x", TimeSpan.FromSeconds(5)));
        Assert.Contains("String", e.Message);
        Assert.Contains("Pong", e.Message);
    }

    [Fact]
    public void Forward_keeps_the_original_sender()
    {
        var echo = Sys.ActorOf(Props.Create<Echo>(), "echo");
        var relay = Sys.ActorOf(Props.Create(() => new Relay(echo)), "relay");
        relay.Tell(new Ping(3));
        ExpectMsg(new Pong(3));
        Assert.Equal(echo, LastSender);
    }

    [Fact]
    public void Actor_names_are_validated_and_unique()
    {
        Sys.ActorOf(Props.Create<Echo>(), "same");
        var dup = Assert.Throws<InvalidActorNameException>(() => Sys.ActorOf(Props.Create<Echo>(), "same"));
        Assert.Contains("not unique", dup.Message);
        Assert.Throws<InvalidActorNameException>(() => Sys.ActorOf(Props.Create<Echo>(), "has space"));
        Assert.Throws<InvalidActorNameException>(() => Sys.ActorOf(Props.Create<Echo>(), "$reserved"));
        Assert.Throws<InvalidActorNameException>(() => Sys.ActorOf(Props.Create<Echo>(), "a/b"));
    }

    [Fact]
    public void Paths_carry_the_local_address()
    {
        var echo = Sys.ActorOf(Props.Create<Echo>(), "named");
        Assert.Equal($"ct://{Sys.Name}/user/named", echo.Path.ToString());
        Assert.NotEqual(0, echo.Path.Uid);
    }
}

using ClusterTrainer.Actors;
using Xunit;

namespace ClusterTrainer.Actors.Tests.Core;

public sealed class MiscSpec : TestKit.TestKit
{
    private sealed class Idle : ReceiveActor
    {
        public Idle() => ReceiveAny(_ => { });
    }

    private sealed class DoubleWatcher : ReceiveActor
    {
        public DoubleWatcher(IActorRef target, IActorRef report)
        {
            Context.Watch(target);
            Context.Watch(target); // a second watch of the same actor changes nothing
            report.Tell("watching");
            Receive<Terminated>(t => report.Tell(t));
        }
    }

    [Fact]
    public void Watching_twice_still_gives_one_Terminated()
    {
        var target = Sys.ActorOf(Props.Create<Idle>());
        Sys.ActorOf(Props.Create(() => new DoubleWatcher(target, TestActor)));
        ExpectMsg("watching");
        Sys.Stop(target);
        ExpectMsg<Terminated>(t => t.ActorRef.Equals(target));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    private sealed class Unforgiving : ReceiveActor
    {
        public Unforgiving(IActorRef target) => Context.Watch(target); // no Terminated handler
    }

    [Fact]
    public void Unhandled_Terminated_is_a_death_pact()
    {
        var target = Sys.ActorOf(Props.Create<Idle>());
        var watcher = Sys.ActorOf(Props.Create(() => new Unforgiving(target)));
        Watch(watcher);
        Sys.Stop(target);
        ExpectTerminated(watcher); // DeathPactException -> default decider stops it
    }

    private sealed class Chatty : ReceiveActor
    {
        public Chatty()
        {
            var log = Context.GetLogger();
            Receive<string>(s => log.Warning($"said {s}"));
        }
    }

    [Fact]
    public void Actor_logger_names_the_actor_path()
    {
        var chatty = Sys.ActorOf(Props.Create<Chatty>(), "chatty");
        var events = ExpectLog(LogLevel.Warning, "said hello", 1, () => chatty.Tell("hello"));
        Assert.Equal(chatty.Path.ToString(), events[0].Source);
    }

    [Fact]
    public async Task Nobody_discards_and_cannot_be_asked()
    {
        var before = Sys.DeadLetterCount;
        ActorRefs.Nobody.Tell("into the void", TestActor);
        Assert.Equal(before, Sys.DeadLetterCount);
        Assert.True(ActorRefs.Nobody.IsNobody());
        Assert.Null(ActorRefs.NoSender);
        await Assert.ThrowsAsync<ArgumentException>(() => ActorRefs.Nobody.Ask<string>("?", TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Replies_to_no_sender_become_dead_letters()
    {
        var echo = Sys.ActorOf(Props.Create(() => new Replier()));
        ExpectDeadLetters<string>(1, () => echo.Tell("ping", ActorRefs.NoSender));
    }

    private sealed class Replier : ReceiveActor
    {
        public Replier() => Receive<string>(s => Sender.Tell(s + "-reply"));
    }
}

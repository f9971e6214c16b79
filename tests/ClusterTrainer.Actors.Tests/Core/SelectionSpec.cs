using ClusterTrainer.Actors;
using Xunit;

namespace ClusterTrainer.Actors.Tests.Core;

public sealed class SelectionSpec : TestKit.TestKit
{
    private sealed class Echo : ReceiveActor
    {
        public Echo()
        {
            Receive<string>(s => s.StartsWith("make "), s => Sender.Tell(Context.ActorOf(Props.Create<Echo>(), s[5..])));
            Receive<string>(s => s.StartsWith("sel "), s => Context.ActorSelection(s[4..]).Tell("via-context", Sender));
            Receive<string>(s => Sender.Tell($"{Self.Path.Name}:{s}"));
        }
    }

    [Fact]
    public async Task Selection_by_absolute_and_root_relative_path()
    {
        var parent = Sys.ActorOf(Props.Create<Echo>(), "parent");
        parent.Tell("make kid");
        var kid = ExpectMsg<IActorRef>();

        Sys.ActorSelection($"ct://{Sys.Name}/user/parent/kid").Tell("hi");
        ExpectMsg("kid:hi");
        Sys.ActorSelection("/user/parent").Tell("yo");
        ExpectMsg("parent:yo");

        Assert.Equal(kid, await Sys.ActorSelection("/user/parent/kid").ResolveOne(TimeSpan.FromSeconds(3)));
        Assert.Equal(kid, Sys.Provider.ResolveActorRef(kid.Path));
    }

    [Fact]
    public void Context_selection_resolves_relative_to_self()
    {
        var parent = Sys.ActorOf(Props.Create<Echo>(), "parent");
        parent.Tell("make a");
        ExpectMsg<IActorRef>();
        parent.Tell("make b");
        var b = ExpectMsg<IActorRef>();
        b.Tell("sel ../a");
        ExpectMsg("a:via-context");
        parent.Tell("sel b");
        ExpectMsg("b:via-context");
    }

    [Fact]
    public async Task ResolveOne_of_a_missing_actor_fails_clearly_and_tell_goes_to_dead_letters()
    {
        var e = await Assert.ThrowsAsync<ActorNotFoundException>(() => Sys.ActorSelection("/user/nobody-here").ResolveOne(TimeSpan.FromSeconds(1)));
        Assert.Contains("/user/nobody-here", e.Message);
        Sys.EventStream.Subscribe(TestActor, typeof(DeadLetter));
        Sys.ActorSelection("/user/nobody-here").Tell("lost");
        var dl = ExpectMsg<DeadLetter>();
        Assert.Equal("lost", dl.Message);
        Assert.Equal("/user/nobody-here", dl.Recipient.Path.ToStringWithoutAddress());
    }

    [Fact]
    public async Task Identify_is_answered_by_live_actors_and_by_empty_paths()
    {
        var live = Sys.ActorOf(Props.Create<Echo>(), "live");
        var found = await live.Ask<ActorIdentity>(new Identify("a"), TimeSpan.FromSeconds(3));
        Assert.Equal(("a", live), (found.MessageId, found.Subject));
        var empty = Sys.Provider.ResolveActorRef(ActorPath.Parse($"ct://{Sys.Name}/user/missing"));
        var none = await empty.Ask<ActorIdentity>(new Identify("b"), TimeSpan.FromSeconds(3));
        Assert.Equal("b", none.MessageId);
        Assert.Null(none.Subject);
    }

    [Fact]
    public void Paths_with_a_stale_uid_do_not_resolve_to_a_new_incarnation()
    {
        var first = Sys.ActorOf(Props.Create<Echo>(), "reborn");
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);
        var second = Sys.ActorOf(Props.Create<Echo>(), "reborn");
        Assert.NotEqual(first, second);
        Assert.Null(Sys.Provider.ResolveLocalActorRef(first.Path));
        Assert.Equal(second, Sys.Provider.ResolveLocalActorRef(first.Path.WithUid(0)));
    }

    [Fact]
    public void Path_and_address_parsing()
    {
        var p = ActorPath.Parse("ct.tcp://node@10.0.0.5:4053/user/a/b#42");
        Assert.Equal(new Address("ct.tcp", "node", "10.0.0.5", 4053), p.Address);
        Assert.Equal(["user", "a", "b"], p.Elements);
        Assert.Equal(42, p.Uid);
        Assert.Equal("ct.tcp://node@10.0.0.5:4053/user/a/b", p.ToString());
        Assert.Equal(p, ActorPath.Parse(p.ToString()));
        Assert.Equal("ct://local", Address.Parse("ct://local").ToString());
        var bad = Assert.Throws<FormatException>(() => ActorPath.Parse("user/a"));
        Assert.Contains("protocol", bad.Message);
        Assert.Throws<FormatException>(() => Address.Parse("ct.tcp://node@host:notaport"));
        Assert.Throws<ArgumentException>(() => Sys.ActorSelection("/user/*"));
    }
}

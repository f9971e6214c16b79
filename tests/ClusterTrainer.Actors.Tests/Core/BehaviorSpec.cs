using ClusterTrainer.Actors;
using Xunit;

namespace ClusterTrainer.Actors.Tests.Core;

public sealed class BehaviorSpec : TestKit.TestKit
{
    private sealed record Open;
    private sealed record Close;
    private sealed record Push;
    private sealed record Pop;

    /// <summary>A door: closed it refuses "knock" replies; open it greets. Push/Pop use the stack.</summary>
    private sealed class Door : ReceiveActor
    {
        public Door() => Closed();

        private void Closed()
        {
            Receive<string>(s => Sender.Tell($"closed:{s}"));
            Receive<Open>(_ => Become(Opened));
            Receive<Push>(_ => BecomeStacked(() => Receive<string>(s => Sender.Tell($"pushed:{s}"))));
        }

        private void Opened()
        {
            Receive<string>(s => Sender.Tell($"open:{s}"));
            Receive<Close>(_ => Become(Closed));
        }
    }

    [Fact]
    public void Become_replaces_the_behaviour()
    {
        var door = Sys.ActorOf(Props.Create<Door>());
        door.Tell("a");
        ExpectMsg("closed:a");
        door.Tell(new Open());
        door.Tell("b");
        ExpectMsg("open:b");
        door.Tell(new Close());
        door.Tell("c");
        ExpectMsg("closed:c");
    }

    [Fact]
    public void BecomeStacked_and_Unbecome_use_a_stack()
    {
        var door = Sys.ActorOf(Props.Create(() => new StackDoor()));
        door.Tell("a");
        ExpectMsg("base:a");
        door.Tell(new Push());
        door.Tell("b");
        ExpectMsg("pushed:b");
        door.Tell(new Pop());
        door.Tell("c");
        ExpectMsg("base:c");
        door.Tell(new Pop()); // popping the last behaviour keeps it
        door.Tell("d");
        ExpectMsg("base:d");
    }

    private sealed class StackDoor : ReceiveActor
    {
        public StackDoor()
        {
            Receive<string>(s => Sender.Tell($"base:{s}"));
            Receive<Push>(_ => BecomeStacked(() =>
            {
                Receive<string>(s => Sender.Tell($"pushed:{s}"));
                Receive<Pop>(_ => UnbecomeStacked());
            }));
            Receive<Pop>(_ => UnbecomeStacked());
        }
    }

    [Fact]
    public void Receive_with_predicate_and_ReceiveAny_fallback()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Sorter()));
        actor.Tell(5);
        actor.Tell(-1);
        actor.Tell("x");
        ExpectMsg("positive 5");
        ExpectMsg("other -1");
        ExpectMsg("other x");
    }

    private sealed class Sorter : ReceiveActor
    {
        public Sorter()
        {
            Receive<int>(i => i > 0, i => Sender.Tell($"positive {i}"));
            ReceiveAny(o => Sender.Tell($"other {o}"));
        }
    }

    [Fact]
    public void Unhandled_messages_are_published()
    {
        Sys.EventStream.Subscribe(TestActor, typeof(UnhandledMessage));
        var door = Sys.ActorOf(Props.Create<Door>());
        door.Tell(42);
        var u = ExpectMsg<UnhandledMessage>();
        Assert.Equal(42, u.Message);
        Assert.Equal(door, u.Recipient);
    }

    private sealed record Work(int N);
    private sealed record Done(int N, bool HadContext);

    /// <summary>Awaits inside the handler; the next message must wait until the task is done.</summary>
    private sealed class AsyncWorker : ReceiveActor
    {
        public AsyncWorker(TaskCompletionSource gate)
        {
            ReceiveAsync<Work>(async w =>
            {
                if (w.N == 1) await gate.Task;
                else await Task.Yield();
                Sender.Tell(new Done(w.N, Context.Self.Equals(Self)));
                Sender.Tell("implicit"); // implicit sender: Self, because the continuation runs inside the actor
            });
        }
    }

    [Fact]
    public void ReceiveAsync_holds_later_messages_until_the_task_completes()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var worker = Sys.ActorOf(Props.Create(() => new AsyncWorker(gate)));
        worker.Tell(new Work(1));
        worker.Tell(new Work(2));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // 2 is held back while 1 awaits
        gate.SetResult();
        ExpectMsg(new Done(1, true));
        ExpectMsg("implicit");
        Assert.Equal(worker, LastSender);
        ExpectMsg(new Done(2, true));
        ExpectMsg("implicit");
    }

    private sealed class AsyncFailer : ReceiveActor
    {
        public AsyncFailer(IActorRef report)
        {
            ReceiveAsync<string>(async s =>
            {
                await Task.Yield();
                throw new InvalidOperationException(s);
            });
            Receive<int>(i => Sender.Tell(i));
            _report = report;
        }

        private readonly IActorRef _report;
        protected override void PostRestart(Exception reason) => _report.Tell($"restarted after {reason.Message}");
    }

    [Fact]
    public void ReceiveAsync_fault_fails_the_actor()
    {
        var report = CreateTestProbe();
        var actor = Sys.ActorOf(Props.Create(() => new AsyncFailer(report.Ref)));
        actor.Tell("async boom");
        actor.Tell(7);
        report.ExpectMsg("restarted after async boom");
        ExpectMsg(7);
    }

    private sealed class Idle : ReceiveActor
    {
        public Idle(IActorRef report)
        {
            Context.SetReceiveTimeout(TimeSpan.FromMilliseconds(200));
            Receive<ReceiveTimeout>(_ => { report.Tell("timeout"); Context.SetReceiveTimeout(null); });
        }
    }

    [Fact]
    public void Receive_timeout_fires_after_inactivity()
    {
        Sys.ActorOf(Props.Create(() => new Idle(TestActor)));
        ExpectMsg("timeout", TimeSpan.FromSeconds(5));
        ExpectNoMsg(TimeSpan.FromMilliseconds(400)); // switched off after the first one
    }

    private sealed record Heartbeat : INotInfluenceReceiveTimeout;

    [Fact]
    public void Messages_marked_not_to_influence_do_not_reset_the_receive_timeout()
    {
        var idle = Sys.ActorOf(Props.Create(() => new Idle(TestActor)));
        var noise = Sys.Scheduler.ScheduleTellRepeatedly(TimeSpan.Zero, TimeSpan.FromMilliseconds(50), idle, new Heartbeat(), ActorRefs.NoSender);
        try { ExpectMsg("timeout", TimeSpan.FromSeconds(5)); }
        finally { noise.Cancel(); }
    }
}

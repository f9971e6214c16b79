using ClusterTrainer.Actors;
using Xunit;

namespace ClusterTrainer.Actors.Tests.Core;

public sealed class SchedulerSpec : TestKit.TestKit
{
    [Fact]
    public void ScheduleTellOnce_delivers_once()
    {
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(50), TestActor, "once", ActorRefs.NoSender);
        ExpectMsg("once");
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void ScheduleTellRepeatedly_repeats_until_cancelled()
    {
        var task = Sys.Scheduler.ScheduleTellRepeatedly(TimeSpan.Zero, TimeSpan.FromMilliseconds(30), TestActor, "tick", ActorRefs.NoSender);
        ExpectMsg("tick");
        ExpectMsg("tick");
        ExpectMsg("tick");
        task.Cancel();
        Assert.True(task.IsCancellationRequested);
        // at most one tick may already have been in flight when we cancelled
        ReceiveWhile<string>(s => s == "tick", TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(500));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Cancelled_before_due_never_runs()
    {
        var ran = 0;
        var task = Sys.Scheduler.ScheduleOnce(TimeSpan.FromSeconds(1), () => Interlocked.Increment(ref ran));
        task.Cancel();
        Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(1500), TestActor, "later", ActorRefs.NoSender);
        ExpectMsg("later");
        Assert.Equal(0, Volatile.Read(ref ran));
    }

    [Fact]
    public void ScheduleOnce_runs_the_action()
    {
        Sys.Scheduler.ScheduleOnce(TimeSpan.FromMilliseconds(10), () => TestActor.Tell("ran", ActorRefs.NoSender));
        ExpectMsg("ran");
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Sys.Scheduler.ScheduleOnce(TimeSpan.FromSeconds(-1), () => { }));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Sys.Scheduler.ScheduleTellRepeatedly(TimeSpan.Zero, TimeSpan.Zero, TestActor, "x", null));
    }

    private sealed record Tick;
    private sealed record Stop;

    /// <summary>Keyed timers: a single timer and a periodic one, cancelled by key.</summary>
    private sealed class TimerUser : ReceiveActor, IWithTimers
    {
        public ITimerScheduler Timers { get; set; } = null!;

        public TimerUser(IActorRef report)
        {
            Receive<string>(s => s == "start", _ =>
            {
                Timers.StartPeriodicTimer("tick", new Tick(), TimeSpan.FromMilliseconds(30));
                Timers.StartSingleTimer("single", "single-fired", TimeSpan.FromMilliseconds(10));
                Timers.StartSingleTimer("replaced", "old", TimeSpan.FromMilliseconds(10));
                Timers.StartSingleTimer("replaced", "new", TimeSpan.FromMilliseconds(20));
            });
            Receive<string>(s => report.Tell(s));
            Receive<Tick>(t => report.Tell(t));
            Receive<Stop>(_ => { Timers.Cancel("tick"); report.Tell("cancelled"); });
        }
    }

    [Fact]
    public void Actor_timers_fire_by_key_and_replaced_timers_do_not()
    {
        var actor = Sys.ActorOf(Props.Create(() => new TimerUser(TestActor)));
        actor.Tell("start");
        var seen = new List<object>();
        while (seen.OfType<Tick>().Count() < 2 || !seen.Contains("single-fired") || !seen.Contains("new"))
            seen.Add(ExpectMsg<object>());
        Assert.DoesNotContain("old", seen);
        actor.Tell(new Stop());
        FishForMessage<string>(s => s == "cancelled");
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }
}

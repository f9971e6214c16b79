using ClusterTrainer.Actors;
using ClusterTrainer.TestKit;
using Xunit;
using Kit = ClusterTrainer.TestKit.TestKit;

namespace ClusterTrainer.Actors.Tests.Persistence;

public sealed class UnconfiguredPersistenceTests() : Kit(settings: new TestKitSettings { DefaultTimeout = TimeSpan.FromSeconds(20) })
{
    [Fact]
    public void A_persistent_actor_without_configured_stores_stops_saying_how_to_configure_them()
    {
        var probe = TestActor;
        IActorRef? ledger = null;

        var logged = ExpectLog(LogLevel.Error, "recovery of persistence id 'orphan-1' failed", 1,
            () => ledger = Sys.ActorOf(Props.Create(() => new Ledger("orphan-1", probe, null))));

        Assert.Contains("PersistenceExtension.Configure", logged[0].Message);
        Watch(ledger!);
        ExpectTerminated(ledger!);
    }
}

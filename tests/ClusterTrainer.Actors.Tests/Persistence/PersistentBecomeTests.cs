using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Persistence;
using ClusterTrainer.TestKit;
using Xunit;
using Kit = ClusterTrainer.TestKit.TestKit;

namespace ClusterTrainer.Actors.Tests.Persistence;

public sealed record Open;
public sealed record Close;
public sealed record Deposit(int Amount);
public sealed record Opened;
public sealed record Closed;
public sealed record Deposited(int Amount);
public sealed record Refused(string Reason);
public sealed record Balance(int Total);

/// <summary>
/// A persistent state machine: deposits are accepted only while the account is open.
/// <code>
///   Closed --Open/Opened--> Active --Close/Closed--> Closed
/// </code>
/// </summary>
public sealed class Account : PersistentActor
{
    private int balance;

    public Account(string persistenceId)
    {
        PersistenceId = persistenceId;
        Recover<Opened>(_ => Become(Active));
        Recover<Closed>(_ => Become(Inactive));
        Recover<Deposited>(e => balance += e.Amount);
        Inactive();
    }

    public override string PersistenceId { get; }

    public static JsonEventSerializer Serializer() => new JsonEventSerializer()
        .Register<Opened>("account.opened").Register<Closed>("account.closed").Register<Deposited>("account.deposited");

    private void Inactive()
    {
        Command<Open>(_ => Persist(new Opened(), _ =>
        {
            Become(Active);
            Sender.Tell(new Opened(), Self);
        }));
        Command<Deposit>(_ => Sender.Tell(new Refused("closed"), Self));
    }

    private void Active()
    {
        Command<Deposit>(c => Persist(new Deposited(c.Amount), e =>
        {
            balance += e.Amount;
            Sender.Tell(new Balance(balance), Self);
        }));
        Command<Close>(_ => Persist(new Closed(), _ =>
        {
            Become(Inactive);
            Sender.Tell(new Closed(), Self);
        }));
    }
}

public sealed class PersistentBecomeTests : Kit
{
    public PersistentBecomeTests()
        : base(settings: new TestKitSettings { DefaultTimeout = TimeSpan.FromSeconds(20) })
    {
        PersistenceExtension.Configure(Sys, PersistencePlugins.InMemory(Account.Serializer()));
    }

    [Fact]
    public void Become_switches_command_handlers_that_still_persist_and_recovery_restores_the_behaviour()
    {
        var account = Sys.ActorOf(Props.Create(() => new Account("acct-1")));
        account.Tell(new Deposit(5), TestActor);
        Assert.Equal(new Refused("closed"), ExpectMsg<Refused>());

        account.Tell(new Open(), TestActor);
        ExpectMsg<Opened>();
        account.Tell(new Deposit(5), TestActor);
        Assert.Equal(new Balance(5), ExpectMsg<Balance>());

        Watch(account);
        Sys.Stop(account);
        ExpectTerminated(account);

        var recovered = Sys.ActorOf(Props.Create(() => new Account("acct-1")));
        recovered.Tell(new Deposit(2), TestActor);
        Assert.Equal(new Balance(7), ExpectMsg<Balance>());
        recovered.Tell(new Close(), TestActor);
        ExpectMsg<Closed>();
        recovered.Tell(new Deposit(1), TestActor);
        Assert.Equal(new Refused("closed"), ExpectMsg<Refused>());
    }
}

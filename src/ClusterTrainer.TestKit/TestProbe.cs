using ClusterTrainer.Actors;

namespace ClusterTrainer.TestKit;

/// <summary>
/// An extra inspectable actor with the full expectation API (ExpectMsg, Reply, Forward, LastSender, ...).
/// Use it as a fake collaborator: pass <see cref="Ref"/> to the actor under test.
/// </summary>
public sealed class TestProbe : TestKitBase, IActorRef
{
    internal TestProbe(ActorSystem system, TestKitSettings settings, string name) : base(system, settings, name) { }

    /// <summary>The probe's actor ref (same as <see cref="TestKitBase.TestActor"/>).</summary>
    public IActorRef Ref => TestActor;

    public ActorPath Path => TestActor.Path;

    /// <summary>Tells the probe's actor (so a probe can be passed where a ref is expected).</summary>
    public void Tell(object message, IActorRef? sender) => TestActor.Tell(message, sender);

    public bool Equals(IActorRef? other) => TestActor.Equals(other);
    public int CompareTo(IActorRef? other) => TestActor.CompareTo(other);
    public override bool Equals(object? obj) => obj is IActorRef r && TestActor.Equals(r);
    public override int GetHashCode() => TestActor.GetHashCode();
    public override string ToString() => $"TestProbe{TestActor}";
}

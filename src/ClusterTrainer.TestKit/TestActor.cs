using System.Collections.Concurrent;
using ClusterTrainer.Actors;

namespace ClusterTrainer.TestKit;

/// <summary>Messages the TestKit sends to its own TestActor.</summary>
internal static class TestActorCommands
{
    internal sealed record WatchIt(IActorRef Subject, TaskCompletionSource Done);
    internal sealed record UnwatchIt(IActorRef Subject, TaskCompletionSource Done);
}

/// <summary>Actor that puts every message it receives (with its sender) into the TestKit's queue.</summary>
internal sealed class TestActor(BlockingCollection<Envelope> queue) : ActorBase
{
    protected override bool Receive(object message)
    {
        switch (message)
        {
            case TestActorCommands.WatchIt w:
                Context.Watch(w.Subject);
                w.Done.TrySetResult();
                break;
            case TestActorCommands.UnwatchIt u:
                Context.Unwatch(u.Subject);
                u.Done.TrySetResult();
                break;
            default:
                if (!queue.IsAddingCompleted) queue.Add(new Envelope(message, Sender));
                break;
        }
        return true;
    }
}

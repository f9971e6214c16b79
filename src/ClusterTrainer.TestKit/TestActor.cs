using System.Collections.Concurrent;
using ClusterTrainer.Actors;

namespace ClusterTrainer.TestKit;

/// <summary>Messages the TestKit sends to its own TestActor.</summary>
internal static class TestActorCommands
{
    internal sealed record WatchIt(IActorRef Subject, TaskCompletionSource Done);
    internal sealed record UnwatchIt(IActorRef Subject, TaskCompletionSource Done);
}

/// <summary>State shared between a TestKit and its TestActor.</summary>
internal sealed class TestActorQueue
{
    public BlockingCollection<Envelope> Messages { get; } = new(new ConcurrentQueue<Envelope>());

    /// <summary>Messages for which this returns true are dropped (set by IgnoreMessages).</summary>
    public volatile Func<object, bool>? Ignore;
}

/// <summary>Actor that puts every message it receives (with its sender) into the TestKit's queue.</summary>
internal sealed class TestActor(TestActorQueue state) : ActorBase
{
    private readonly BlockingCollection<Envelope> _queue = state.Messages;

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
                if (state.Ignore is { } ignore && ignore(message)) break;
                // After the kit shut down nobody reads the queue any more: drop quietly.
                try { _queue.Add(new Envelope(message, Sender)); }
                catch (InvalidOperationException) when (_queue.IsAddingCompleted) { }
                break;
        }
        return true;
    }
}

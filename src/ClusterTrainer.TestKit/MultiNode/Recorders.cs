using System.Collections.Concurrent;
using ClusterTrainer.Actors;

namespace ClusterTrainer.TestKit.MultiNode;

/// <summary>An actor that keeps every message it gets, for specs to assert on with <see cref="Await"/>.</summary>
public sealed class Recorder : ReceiveActor
{
    public ConcurrentQueue<object> Received { get; }

    public Recorder(ConcurrentQueue<object> sink)
    {
        Received = sink;
        ReceiveAny(m => sink.Enqueue(m));
    }

    /// <summary>Starts a recorder on <paramref name="system"/>; returns its ref and the queue it fills.</summary>
    public static (IActorRef Ref, ConcurrentQueue<object> Received) Start(ActorSystem system, string? name = null)
    {
        var sink = new ConcurrentQueue<object>();
        return (system.ActorOf(Props.CreateBy(() => new Recorder(sink)), name), sink);
    }
}

/// <summary>Watches one actor (local or remote) and records its Terminated.</summary>
public sealed class Watcher : ReceiveActor
{
    public Watcher(IActorRef subject, TaskCompletionSource<Terminated> terminated)
    {
        Receive<Terminated>(t => terminated.TrySetResult(t));
        Context.Watch(subject);
    }

    public static Task<Terminated> Watch(ActorSystem system, IActorRef subject)
    {
        var tcs = new TaskCompletionSource<Terminated>(TaskCreationOptions.RunContinuationsAsynchronously);
        system.ActorOf(Props.CreateBy(() => new Watcher(subject, tcs)));
        return tcs.Task;
    }
}

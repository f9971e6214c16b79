namespace ClusterTrainer.Actors;

/// <summary>Implement on an actor to get a <see cref="IStash"/> (injected by the runtime after construction).</summary>
public interface IWithStash
{
    IStash Stash { get; set; }
}

/// <summary>
/// Set messages aside and bring them back later (typically after a Become). Bounded: stashing beyond
/// the capacity throws <see cref="StashOverflowException"/>. Stashed messages survive a restart (they
/// are put back in the mailbox before the new instance starts).
/// </summary>
public interface IStash
{
    /// <summary>Stashes the message currently being processed.</summary>
    void Stash();
    /// <summary>Puts the oldest stashed message back at the front of the mailbox.</summary>
    void Unstash();
    /// <summary>Puts all stashed messages back at the front of the mailbox, in their original order.</summary>
    void UnstashAll();
    int Count { get; }
    int Capacity { get; }
    /// <summary>Drops all stashed messages and returns them.</summary>
    IReadOnlyList<Envelope> ClearStash();
}

public sealed class StashOverflowException(string message) : Exception(message);

internal sealed class BoundedStash(ActorCell cell, int capacity) : IStash
{
    private readonly LinkedList<Envelope> _items = new();
    private long _lastStashedSequence = -1;

    public int Count => _items.Count;
    public int Capacity => capacity;

    public void Stash()
    {
        var current = cell.CurrentEnvelope ?? throw new InvalidOperationException(
            "Stash() can only be called while the actor processes a message.");
        if (_lastStashedSequence == cell.MessageSequence)
            throw new InvalidOperationException($"The message {current.Message.GetType().Name} is already stashed; stash a message only once.");
        if (_items.Count >= capacity)
            throw new StashOverflowException(
                $"Stash of {cell.Self.Path} is full ({capacity} messages). Unstash earlier, or raise the limit with Props.WithStashCapacity / ActorSystemOptions.DefaultStashCapacity.");
        _items.AddLast(current);
        _lastStashedSequence = cell.MessageSequence;
    }

    public void Unstash()
    {
        if (_items.Count == 0) return;
        var first = _items.First!.Value;
        _items.RemoveFirst();
        cell.Mailbox.Prepend([first]);
    }

    public void UnstashAll()
    {
        if (_items.Count == 0) return;
        var all = _items.ToArray();
        _items.Clear();
        cell.Mailbox.Prepend(all);
    }

    public IReadOnlyList<Envelope> ClearStash()
    {
        var all = _items.ToArray();
        _items.Clear();
        return all;
    }
}

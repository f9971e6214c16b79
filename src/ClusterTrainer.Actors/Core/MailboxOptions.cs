namespace ClusterTrainer.Actors;

/// <summary>What a bounded mailbox does with a message that arrives while it is full.</summary>
public enum MailboxOverflowPolicy
{
    /// <summary>The arriving message goes to dead letters (the sender is not told).</summary>
    DropNewest,

    /// <summary>The oldest queued message goes to dead letters and the arriving one is queued.</summary>
    DropOldest,

    /// <summary>
    /// <c>Tell</c> throws <see cref="MailboxFullException"/> on the sender's thread. Inside an actor this
    /// fails the sender, so its supervisor decides (back-pressure by failure). A remote transport
    /// delivering into such a mailbox logs the exception and drops the message.
    /// </summary>
    Fail,
}

/// <summary>Mailbox choice for <see cref="Props.WithMailbox"/>.</summary>
public sealed record MailboxOptions(int? Capacity, MailboxOverflowPolicy OverflowPolicy)
{
    /// <summary>Unbounded (the default); the queue length is still exposed for monitoring.</summary>
    public static readonly MailboxOptions Unbounded = new(null, MailboxOverflowPolicy.DropNewest);

    public static MailboxOptions Bounded(int capacity, MailboxOverflowPolicy policy = MailboxOverflowPolicy.DropNewest)
    {
        if (capacity < 1)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity,
                "A bounded mailbox needs a capacity of at least 1; use MailboxOptions.Unbounded for no limit.");
        return new MailboxOptions(capacity, policy);
    }

    public bool IsBounded => Capacity is not null;
}

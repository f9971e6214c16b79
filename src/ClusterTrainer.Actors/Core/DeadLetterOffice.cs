namespace ClusterTrainer.Actors;

/// <summary>
/// Counts, publishes and (rate-limited) logs messages that could not be delivered. Not on a hot path:
/// a dead letter is already an anomaly, so the log window uses a plain lock.
/// </summary>
internal sealed class DeadLetterOffice(ActorSystem system)
{
    private readonly object _gate = new();
    private long _count;
    private long _windowStart;
    private int _loggedInWindow;
    private int _suppressedInWindow;

    public long Count => Interlocked.Read(ref _count);

    public void Publish(object message, IActorRef? sender, IActorRef recipient)
    {
        Interlocked.Increment(ref _count);
        if (message is DeadLetter) return; // an undeliverable DeadLetter event: counted, never re-published
        var deadLetter = new DeadLetter(message, sender ?? system.DeadLetters, recipient);
        system.EventStream.Publish(deadLetter);
        if (system.Options.LogDeadLetters) MaybeLog(deadLetter);
    }

    public void PublishSystem(ISystemMessage message, IActorRef recipient)
    {
        if (message is Watch w && !w.Watcher.Equals(recipient))
            w.Watcher.SendSystemMessage(new DeathWatchNotification(w.Watchee, ExistenceConfirmed: false, AddressTerminated: false));
    }

    private void MaybeLog(DeadLetter deadLetter)
    {
        string? line = null;
        lock (_gate)
        {
            var now = Environment.TickCount64;
            if (now - _windowStart > (long)system.Options.DeadLetterLogWindow.TotalMilliseconds)
            {
                if (_suppressedInWindow > 0)
                    line = $"{_suppressedInWindow} more dead letters were not logged in the last {system.Options.DeadLetterLogWindow.TotalSeconds:0}s.";
                _windowStart = now;
                _loggedInWindow = 0;
                _suppressedInWindow = 0;
            }
            if (_loggedInWindow < system.Options.DeadLetterLogLimit) _loggedInWindow++;
            else { _suppressedInWindow++; deadLetter = null!; }
        }
        var log = system.DeadLetterLog;
        if (line is not null) log.Info(line);
        if (deadLetter is not null)
            log.Info($"Message {deadLetter.Message.GetType().Name} from {deadLetter.Sender.Path} to {deadLetter.Recipient.Path} was not delivered (dead letter #{Count}). " +
                     "The recipient is stopped or never existed. Set ActorSystemOptions.LogDeadLetters = false to silence this.");
    }
}

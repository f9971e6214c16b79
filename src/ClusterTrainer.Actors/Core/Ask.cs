using System.Runtime.ExceptionServices;

namespace ClusterTrainer.Actors;

/// <summary>Thrown when an Ask gets no reply in time.</summary>
public sealed class AskTimeoutException(string message) : TimeoutException(message);

public static class AskExtensions
{
    /// <summary>
    /// Sends <paramref name="message"/> with a temporary sender and returns its first reply as
    /// <typeparamref name="T"/>. A <see cref="Status.Failure"/> reply throws its cause; no reply within
    /// <paramref name="timeout"/> throws <see cref="AskTimeoutException"/>; a reply of another type throws
    /// <see cref="InvalidCastException"/> naming both types.
    /// </summary>
    public static async Task<T> Ask<T>(this IActorRef target, object message, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var reply = await Ask(target, message, timeout, cancellationToken).ConfigureAwait(false);
        if (reply is T typed) return typed;
        throw new InvalidCastException(
            $"Ask to {target.Path} expected a reply of type {typeof(T).Name} but received {reply.GetType().Name} ({reply}).");
    }

    /// <summary>Untyped Ask; see <see cref="Ask{T}"/>.</summary>
    public static async Task<object> Ask(this IActorRef target, object message, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(message);
        if (timeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "An ask timeout must be positive.");
        if (target is not IInternalActorRef internalRef || target is Nobody)
            throw new ArgumentException($"Cannot ask {target}: it is not a live actor ref.", nameof(target));
        var promise = new PromiseActorRef(internalRef.Provider);
        object reply;
        try
        {
            target.Tell(message, promise);
            reply = await promise.Result.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new AskTimeoutException(
                $"Ask to {target.Path} timed out after {timeout.TotalMilliseconds:0} ms waiting for a reply to {message.GetType().Name}. " +
                "The actor may be stopped, slow, or not replying to Sender; check dead letters or raise the timeout.");
        }
        finally
        {
            promise.Release();
        }
        if (reply is Status.Failure failure) ExceptionDispatchInfo.Throw(failure.Cause);
        return reply;
    }
}

namespace ClusterTrainer.Actors;

public enum LogLevel
{
    Debug,
    Info,
    Warning,
    Error,
    /// <summary>Logs nothing (as a threshold).</summary>
    Off,
}

/// <summary>One log entry, published on the event stream (subscribe to <c>typeof(LogEvent)</c>) and written to the sink.</summary>
public sealed record LogEvent(LogLevel Level, DateTimeOffset Timestamp, string Source, string Message, Exception? Cause)
{
    public override string ToString() =>
        $"[{Level.ToString().ToUpperInvariant()}][{Timestamp:HH:mm:ss.fff}][{Source}] {Message}" +
        (Cause is null ? "" : Environment.NewLine + Cause);
}

/// <summary>Where log events are written besides the event stream.</summary>
public interface ILogSink
{
    void Write(LogEvent logEvent);
}

/// <summary>Default sink: one line per event on standard error.</summary>
public sealed class ConsoleLogSink : ILogSink
{
    public static readonly ConsoleLogSink Instance = new();
    public void Write(LogEvent logEvent) => Console.Error.WriteLine(logEvent.ToString());
}

public interface ILoggingAdapter
{
    bool IsEnabled(LogLevel level);
    void Log(LogLevel level, Exception? cause, string message);
}

public static class LoggingAdapterExtensions
{
    public static void Debug(this ILoggingAdapter log, string message) => log.Log(LogLevel.Debug, null, message);
    public static void Info(this ILoggingAdapter log, string message) => log.Log(LogLevel.Info, null, message);
    public static void Warning(this ILoggingAdapter log, string message) => log.Log(LogLevel.Warning, null, message);
    public static void Warning(this ILoggingAdapter log, Exception? cause, string message) => log.Log(LogLevel.Warning, cause, message);
    public static void Error(this ILoggingAdapter log, string message) => log.Log(LogLevel.Error, null, message);
    public static void Error(this ILoggingAdapter log, Exception? cause, string message) => log.Log(LogLevel.Error, cause, message);
}

/// <summary>Logger bound to a source (an actor path or a component name).</summary>
internal sealed class BusLogger(ActorSystem system, string source) : ILoggingAdapter
{
    public bool IsEnabled(LogLevel level) => level >= system.Options.LogLevel && level != LogLevel.Off;

    public void Log(LogLevel level, Exception? cause, string message)
    {
        if (!IsEnabled(level)) return;
        var e = new LogEvent(level, DateTimeOffset.UtcNow, source, message, cause);
        try { (system.Options.LogSink ?? ConsoleLogSink.Instance).Write(e); }
        catch (Exception) { /* a broken sink must not break the actor that logs */ }
        system.EventStream.Publish(e);
    }
}

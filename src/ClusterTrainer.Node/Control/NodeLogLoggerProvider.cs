using ClusterTrainer.Training.Control;
using Microsoft.Extensions.Logging;
using ActorLogLevel = ClusterTrainer.Actors.LogLevel;
using ActorLogEvent = ClusterTrainer.Actors.LogEvent;

namespace ClusterTrainer.Node.Control;

/// <summary>Sends ASP.NET Core's log output (warnings and errors) to the node log, source "http/&lt;category&gt;".</summary>
internal sealed class NodeLogLoggerProvider(INodeLog log) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(log, "http/" + categoryName);

    public void Dispose() { }

    private sealed class Logger(INodeLog log, string source) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var level = logLevel == LogLevel.Warning ? ActorLogLevel.Warning : ActorLogLevel.Error;
            log.Write(new ActorLogEvent(level, DateTimeOffset.UtcNow, source, formatter(state, exception), exception));
        }
    }
}

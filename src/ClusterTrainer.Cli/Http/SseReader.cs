using System.Runtime.CompilerServices;
using System.Text;

namespace ClusterTrainer.Cli.Http;

/// <summary>One server-sent event: its <c>event:</c> name ("message" when absent) and its joined <c>data:</c> lines.</summary>
public sealed record SseMessage(string Event, string Data);

/// <summary>
/// Reads a text/event-stream (the WHATWG "server-sent events" format): <c>field: value</c> lines, a blank line
/// ends an event, lines starting with ':' are comments, several data lines join with '\n'.
/// </summary>
public static class SseReader
{
    public static async IAsyncEnumerable<SseMessage> ReadAsync(TextReader reader, [EnumeratorCancellation] CancellationToken ct)
    {
        string? eventName = null;
        var data = new StringBuilder();
        var hasData = false;
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                if (hasData)
                    yield return new SseMessage(eventName ?? "message", data.ToString());
                eventName = null;
                data.Clear();
                hasData = false;
                continue;
            }
            if (line[0] == ':')
                continue;
            var colon = line.IndexOf(':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' '))
                value = value[1..];
            switch (field)
            {
                case "event":
                    eventName = value;
                    break;
                case "data":
                    if (hasData)
                        data.Append('\n');
                    data.Append(value);
                    hasData = true;
                    break;
                // "id" and "retry" only matter to reconnecting browsers.
            }
        }
        // The stream ended: a last event without its blank line is incomplete and dropped, as the format says.
    }
}

using Xunit;

namespace ClusterTrainer.Node.Tests.Control;

/// <summary>One Server-Sent Events frame: its event name (null: none given), data lines, and comment lines.</summary>
internal sealed record SseFrame(string? Event, IReadOnlyList<string> Data, IReadOnlyList<string> Comments)
{
    public string DataText => string.Join('\n', Data);
}

/// <summary>Reads an SSE response frame by frame (a frame ends at a blank line), each read bounded by a deadline.</summary>
internal sealed class SseReader(HttpResponseMessage response, StreamReader reader) : IDisposable
{
    public HttpResponseMessage Response { get; } = response;

    public static async Task<SseReader> OpenAsync(HttpClient client, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return new SseReader(response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    public async Task<SseFrame> NextAsync()
    {
        using var deadline = new CancellationTokenSource(ControlHarness.Patience);
        string? name = null;
        var data = new List<string>();
        var comments = new List<string>();
        while (true)
        {
            var line = await reader.ReadLineAsync(deadline.Token)
                ?? throw new EndOfStreamException($"stream ended inside a frame (event {name}, {data.Count} data lines)");
            if (line.Length == 0)
            {
                if (name is null && data.Count == 0 && comments.Count == 0) continue;
                return new SseFrame(name, data, comments);
            }
            if (line.StartsWith(':')) comments.Add(line[1..].TrimStart());
            else if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line["event: ".Length..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data.Add(line["data: ".Length..]);
            else Assert.Fail($"not an SSE line: '{line}'");
        }
    }

    /// <summary>The next frame that is not a heartbeat comment.</summary>
    public async Task<SseFrame> NextEventAsync()
    {
        while (true)
        {
            var frame = await NextAsync();
            if (frame.Event is not null || frame.Data.Count > 0) return frame;
        }
    }

    public void Dispose()
    {
        reader.Dispose();
        Response.Dispose();
    }
}

using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using ClusterTrainer.Training.Control;

namespace ClusterTrainer.Node.Local;

/// <summary>
/// The launcher's client of the nodes' control API (routes in ControlContract.cs). It talks to the first node that
/// answers, coordinator first, and moves on to the next ready node when a connection is refused, so the run can be
/// followed while nodes come and go.
/// </summary>
public sealed class ControlClient(Func<IReadOnlyList<Uri>> urls, string token, HttpMessageHandler? handler = null) : IDisposable
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(120);

    private readonly HttpClient _http = new(handler ?? new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
    };
    private int _current;

    public async Task<RunInfo> StartRunAsync(StartRunRequest request, CancellationToken ct) =>
        await JsonAsync<RunInfo>(HttpMethod.Post, "/api/runs", JsonContent.Create(request, options: ControlJson.Options), ct);

    public async Task<RunDetail> GetRunAsync(string runId, CancellationToken ct) =>
        await JsonAsync<RunDetail>(HttpMethod.Get, "/api/runs/" + Uri.EscapeDataString(runId), null, ct);

    public async Task<RunInfo> StopRunAsync(string runId, CancellationToken ct) =>
        await JsonAsync<RunInfo>(HttpMethod.Post, $"/api/runs/{Uri.EscapeDataString(runId)}/stop", null, ct);

    /// <summary>Opens <c>GET /api/events</c>; the events it yields are those published after this call returned.</summary>
    public async Task<EventSubscription> OpenEventsAsync(CancellationToken ct)
    {
        var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, "/api/events"), HttpCompletionOption.ResponseHeadersRead, ct);
        await EnsureSuccess(response, "GET /api/events", ct);
        var stream = await response.Content.ReadAsStreamAsync(ct);
        return new EventSubscription(response, new StreamReader(stream, Encoding.UTF8));
    }

    /// <summary>An open event stream; disposing it closes the connection.</summary>
    public sealed class EventSubscription(HttpResponseMessage response, StreamReader reader) : IDisposable
    {
        public IAsyncEnumerable<RunEvent> ReadAllAsync(CancellationToken ct) => ParseEvents(reader, ct);

        public void Dispose()
        {
            reader.Dispose();
            response.Dispose();
        }
    }

    /// <summary>Server-sent events: "event: Type", "data: json", blank line; lines starting with ':' are heartbeats.</summary>
    public static async IAsyncEnumerable<RunEvent> ParseEvents(TextReader reader, [EnumeratorCancellation] CancellationToken ct)
    {
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0)
                {
                    var e = JsonSerializer.Deserialize<RunEvent>(data.ToString(), ControlJson.Options);
                    data.Clear();
                    if (e is not null) yield return e;
                }
                continue;
            }
            if (line.StartsWith(':')) continue;
            if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                if (data.Length > 0) data.Append('\n');
                data.Append(line.AsSpan(line.Length > 5 && line[5] == ' ' ? 6 : 5));
            }
        }
    }

    private async Task<T> JsonAsync<T>(HttpMethod method, string path, HttpContent? body, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(RequestTimeout);
        using var response = await SendAsync(() => new HttpRequestMessage(method, path) { Content = body }, HttpCompletionOption.ResponseContentRead, timeout.Token);
        await EnsureSuccess(response, $"{method} {path}", timeout.Token);
        return await response.Content.ReadFromJsonAsync<T>(ControlJson.Options, timeout.Token)
               ?? throw new LaunchException($"{method} {path}: the node answered an empty body");
    }

    /// <summary>Sends to the current node; on a refused connection tries each other ready node once.</summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> make, HttpCompletionOption completion, CancellationToken ct)
    {
        var nodes = urls();
        if (nodes.Count == 0) throw new LaunchException("no node serves the control API any more; see the node logs");
        HttpRequestException? last = null;
        for (int attempt = 0; attempt < nodes.Count; attempt++)
        {
            int index = (_current + attempt) % nodes.Count;
            var request = make();
            request.RequestUri = new Uri(nodes[index], request.RequestUri!.OriginalString);
            try
            {
                var response = await _http.SendAsync(request, completion, ct);
                _current = index;
                return response;
            }
            catch (HttpRequestException e) when (e.StatusCode is null)
            {
                last = e;
            }
        }
        throw new LaunchException($"no node answered on the control API ({string.Join(", ", nodes)}): {last?.Message}");
    }

    private static async Task EnsureSuccess(HttpResponseMessage response, string what, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        string body = await response.Content.ReadAsStringAsync(ct);
        ControlError? error = null;
        try { error = JsonSerializer.Deserialize<ControlError>(body, ControlJson.Options); }
        catch (JsonException) { }
        var text = new StringBuilder($"{what}: {(int)response.StatusCode} {response.ReasonPhrase}: {error?.Error ?? body}");
        foreach (string d in error?.Details ?? []) text.Append(Environment.NewLine).Append("  ").Append(d);
        response.Dispose();
        throw new LaunchException(text.ToString());
    }

    public void Dispose() => _http.Dispose();
}

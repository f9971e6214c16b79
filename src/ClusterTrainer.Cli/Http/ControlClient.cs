using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using ClusterTrainer.Training.Control;

namespace ClusterTrainer.Cli.Http;

/// <summary>
/// The node's control API as typed calls (routes in ControlContract.cs). Every failure becomes a
/// <see cref="CtrException"/> whose exit code says whose fault it is: the node refused (1), the node is
/// unreachable or timed out (3), the token was refused (4).
/// </summary>
public sealed class ControlClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Endpoint _endpoint;

    public ControlClient(Endpoint endpoint, HttpMessageHandler? handler = null)
    {
        _endpoint = endpoint;
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = endpoint.Host;
        // Each call sets its own deadline, so a stream can stay open after its headers came in time.
        _http.Timeout = Timeout.InfiniteTimeSpan;
        if (!string.IsNullOrEmpty(endpoint.Token))
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", endpoint.Token);
    }

    public Endpoint Endpoint => _endpoint;

    public async Task<T> GetAsync<T>(string path, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, HttpCompletionOption.ResponseContentRead, ct);
        return await ReadJsonAsync<T>(response, path, ct);
    }

    public async Task<T> PostAsync<T>(string path, object? body, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Post, path, body, HttpCompletionOption.ResponseContentRead, ct);
        return await ReadJsonAsync<T>(response, path, ct);
    }

    /// <summary>A POST whose answer has no body worth reading (202 Accepted).</summary>
    public async Task<HttpStatusCode> PostAsync(string path, object? body, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Post, path, body, HttpCompletionOption.ResponseContentRead, ct);
        return response.StatusCode;
    }

    public async Task<string> GetTextAsync(string path, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, HttpCompletionOption.ResponseContentRead, ct);
        return await response.Content.ReadAsStringAsync(ct);
    }

    /// <summary>Copies the body of GET <paramref name="path"/> into <paramref name="destination"/>; returns the bytes copied.</summary>
    public async Task<long> DownloadAsync(string path, Stream destination, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, HttpCompletionOption.ResponseHeadersRead, ct);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        var before = destination.CanSeek ? destination.Position : 0;
        await Guard(() => body.CopyToAsync(destination, ct), "the download");
        return destination.CanSeek ? destination.Position - before : -1;
    }

    /// <summary>
    /// Opens the text/event-stream at <paramref name="path"/>: returns once the node has answered with its headers,
    /// so events from then on are not missed while the caller does something else first.
    /// </summary>
    public async Task<EventStream> OpenStreamAsync(string path, CancellationToken ct)
    {
        var response = await SendAsync(HttpMethod.Get, path, null, HttpCompletionOption.ResponseHeadersRead, ct, accept: "text/event-stream");
        try
        {
            var body = await response.Content.ReadAsStreamAsync(ct);
            return new EventStream(response, new StreamReader(body), _endpoint.Display);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, HttpCompletionOption completion,
        CancellationToken ct, string accept = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.ParseAdd(accept);
        if (body is not null)
            request.Content = JsonContent.Create(body, body.GetType(), options: ControlJson.Options);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_endpoint.Timeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, completion, deadline.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CtrException(ExitCodes.Unreachable,
                $"{_endpoint.Display} did not answer {method} /{path} within {_endpoint.Timeout.TotalSeconds:0.#} s; the node may be busy or hung: check it, or raise --timeout");
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(e);
        }
        if (response.IsSuccessStatusCode)
            return response;
        using (response)
            throw await RefusalAsync(response, method, path, ct);
    }

    private CtrException Unreachable(HttpRequestException e)
    {
        var host = _endpoint.Display;
        return e.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => new CtrException(ExitCodes.Unreachable,
                $"cannot resolve '{_endpoint.Host.Host}': check --host (or CTR_HOST); a node started with ./build.sh run listens on {Endpoint.DefaultHost}"),
            HttpRequestError.SecureConnectionError => new CtrException(ExitCodes.Unreachable,
                $"the TLS handshake with {host} failed ({Innermost(e).Message}); use http:// if the node serves plain HTTP"),
            _ when Innermost(e) is SocketException { SocketErrorCode: SocketError.ConnectionRefused } => new CtrException(ExitCodes.Unreachable,
                $"connection refused at {host}: is a node running at {host}? start one with ./build.sh run or set --host (or CTR_HOST)"),
            _ => new CtrException(ExitCodes.Unreachable,
                $"cannot reach {host} ({Innermost(e).Message}): is a node running at {host}? start one with ./build.sh run or set --host (or CTR_HOST)"),
        };
    }

    private async Task<CtrException> RefusalAsync(HttpResponseMessage response, HttpMethod method, string path, CancellationToken ct)
    {
        var status = $"{(int)response.StatusCode} {response.ReasonPhrase ?? response.StatusCode.ToString()}";
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            return new CtrException(ExitCodes.Auth, string.IsNullOrEmpty(_endpoint.Token)
                ? $"{_endpoint.Display} wants a token and none was given ({status}); pass --token or set CTR_TOKEN"
                : $"the token was refused by {_endpoint.Display} ({status}); pass --token or set CTR_TOKEN");
        var text = "";
        try
        {
            text = await response.Content.ReadAsStringAsync(ct);
        }
        catch (HttpRequestException)
        {
            // The status line is still worth reporting without the body.
        }
        var error = TryParseError(text);
        if (error is not null)
            return new CtrException(ExitCodes.Failed, $"{error.Error} ({status})", error.Details);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return new CtrException(ExitCodes.Failed,
                $"{_endpoint.Display} does not serve {method} /{path} ({status}); is --host a ClusterTrainer node of the same version?");
        var snippet = text.Length > 300 ? text[..300] + "…" : text;
        return new CtrException(ExitCodes.Failed, $"{method} /{path} failed ({status}){(snippet.Length > 0 ? ": " + snippet.Trim() : "")}");
    }

    private static ControlError? TryParseError(string text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.TrimStart()[0] != '{')
            return null;
        try
        {
            var error = JsonSerializer.Deserialize<ControlError>(text, ControlJson.Options);
            return string.IsNullOrWhiteSpace(error?.Error) ? null : error;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, string path, CancellationToken ct)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(ControlJson.Options, ct)
                   ?? throw new JsonException("the body was JSON null");
        }
        catch (JsonException e)
        {
            throw new CtrException(ExitCodes.Failed,
                $"{_endpoint.Display} answered /{path} with JSON ctr cannot read ({e.Message}); is the node the same version as ctr?");
        }
    }

    private async Task Guard(Func<Task> io, string what)
    {
        try
        {
            await io();
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new CtrException(ExitCodes.Unreachable, $"{what} from {_endpoint.Display} was cut: {Innermost(e).Message}");
        }
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
            e = e.InnerException;
        return e;
    }

    public void Dispose() => _http.Dispose();
}

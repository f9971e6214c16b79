using System.Runtime.CompilerServices;
using System.Text.Json;
using ClusterTrainer.Training.Control;

namespace ClusterTrainer.Cli.Http;

/// <summary>
/// An open text/event-stream from the node. A cut connection becomes an "unreachable" <see cref="CtrException"/>;
/// an <c>event: error</c> (a ControlError the node sends before ending a stream whose source failed) a "failed" one.
/// </summary>
public sealed class EventStream(HttpResponseMessage response, StreamReader reader, string host) : IDisposable
{
    /// <summary>The events until the node closes the stream (the enumeration ends) or <paramref name="ct"/> fires.</summary>
    public async IAsyncEnumerable<SseMessage> ReadAllAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await using var events = SseReader.ReadAsync(reader, ct).GetAsyncEnumerator(ct);
        while (true)
        {
            bool more;
            try
            {
                more = await events.MoveNextAsync();
            }
            catch (Exception e) when (e is IOException or HttpRequestException && !ct.IsCancellationRequested)
            {
                throw new CtrException(ExitCodes.Unreachable, $"the event stream from {host} was cut: {e.GetBaseException().Message}");
            }
            if (!more)
                yield break;
            if (events.Current.Event == "error")
                throw new CtrException(ExitCodes.Failed, $"{host} ended the stream: {ErrorText(events.Current.Data)}");
            yield return events.Current;
        }
    }

    private static string ErrorText(string data)
    {
        try
        {
            return JsonSerializer.Deserialize<ControlError>(data, ControlJson.Options)?.Error ?? data;
        }
        catch (JsonException)
        {
            return data;
        }
    }

    public void Dispose()
    {
        reader.Dispose();
        response.Dispose();
    }
}

using System.Runtime.CompilerServices;

namespace ClusterTrainer.Cli.Http;

/// <summary>An open text/event-stream from the node; a cut connection becomes an "unreachable" <see cref="CtrException"/>.</summary>
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
            yield return events.Current;
        }
    }

    public void Dispose()
    {
        reader.Dispose();
        response.Dispose();
    }
}

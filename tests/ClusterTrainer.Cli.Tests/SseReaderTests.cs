using ClusterTrainer.Cli.Http;
using Xunit;

namespace ClusterTrainer.Cli.Tests;

public sealed class SseReaderTests
{
    private static async Task<List<SseMessage>> Read(string text)
    {
        var list = new List<SseMessage>();
        await foreach (var m in SseReader.ReadAsync(new StringReader(text), CancellationToken.None))
            list.Add(m);
        return list;
    }

    [Fact]
    public async Task Events_end_at_blank_lines_and_carry_their_name()
    {
        var messages = await Read("event: Step\ndata: {\"a\":1}\n\nevent: RunEnded\ndata: {}\n\n");
        Assert.Equal([new SseMessage("Step", "{\"a\":1}"), new SseMessage("RunEnded", "{}")], messages);
    }

    [Fact]
    public async Task Comments_ids_and_retries_are_skipped_and_data_lines_join()
    {
        var messages = await Read(": keep-alive\nid: 7\nretry: 100\ndata: one\ndata:two\ndata:  three\n\n");
        Assert.Equal([new SseMessage("message", "one\ntwo\n three")], messages);
    }

    [Fact]
    public async Task Crlf_line_ends_work_and_an_unfinished_last_event_is_dropped()
    {
        var messages = await Read("event: a\r\ndata: x\r\n\r\nevent: b\r\ndata: y\r\n");
        Assert.Equal([new SseMessage("a", "x")], messages);
    }

    [Fact]
    public async Task A_blank_line_without_data_dispatches_nothing()
    {
        var messages = await Read("event: lonely\n\n\ndata: z\n\n");
        Assert.Equal([new SseMessage("message", "z")], messages);
    }
}

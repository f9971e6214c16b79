using System.Diagnostics;
using ClusterTrainer.Node.Local;
using Xunit;

namespace ClusterTrainer.Node.Tests.Local;

/// <summary>ChildNode against small /bin/sh scripts standing in for node processes.</summary>
public sealed class ChildNodeTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private const string Ready = "echo 'ready address=ct.tcp://clustertrainer@127.0.0.1:4100 http=http://127.0.0.1:4101'";
    private readonly string _dir = Directory.CreateTempSubdirectory("ct-child-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ChildNode Start(string script, string name = "n1")
    {
        var start = new ProcessStartInfo("/bin/sh");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        return ChildNode.Start(name, start, Path.Combine(_dir, name + ".log"));
    }

    private static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"not within {Patience.TotalSeconds} s: {what}");
            await Task.Delay(20);
        }
    }

    [Theory]
    [InlineData("ready address=ct.tcp://clustertrainer@127.0.0.1:4100 http=http://127.0.0.1:4101/", "ct.tcp://clustertrainer@127.0.0.1:4100", "http://127.0.0.1:4101/")]
    [InlineData("ready http=- address=ct.tcp://clustertrainer@h:1", "ct.tcp://clustertrainer@h:1", null)]
    public void The_ready_line_gives_the_address_and_control_url(string line, string address, string? http)
    {
        Assert.True(ReadyLine.TryParse(line, out var ready));
        Assert.Equal(address, ready!.Address);
        Assert.Equal(http, ready.Http?.ToString());
    }

    [Theory]
    [InlineData("starting node")]
    [InlineData("ready address=ct.tcp://x@h:1")]
    [InlineData("ready http=http://h:1")]
    [InlineData("ready address=ct.tcp://x@h:1 http=not a url")]
    public void Other_lines_are_not_ready_lines(string line) => Assert.False(ReadyLine.TryParse(line, out _));

    [Fact]
    public async Task A_node_is_ready_when_it_prints_the_ready_line_and_its_output_goes_to_its_log()
    {
        await using var child = Start($"echo starting >&2; {Ready}; exec cat");
        var ready = await child.WaitReadyAsync(Patience, CancellationToken.None);
        Assert.Equal(new Uri("http://127.0.0.1:4101"), ready.Http);
        await child.StopAsync(Patience);
        Assert.NotNull(child.ExitCode);
        string log = await File.ReadAllTextAsync(child.LogPath);
        Assert.Contains("starting", log);
        Assert.Contains("[stdout] ready address=", log);
    }

    [Fact]
    public async Task A_node_that_exits_before_it_is_ready_is_reported_with_its_log_tail()
    {
        await using var child = Start("echo 'bad setting: Port' >&2; exit 3", "ps-1");
        var e = await Assert.ThrowsAsync<LaunchException>(() => child.WaitReadyAsync(Patience, CancellationToken.None));
        Assert.Contains("node ps-1 exited with code 3 before it was ready", e.Message);
        Assert.Contains("bad setting: Port", e.Message);
        Assert.Contains(child.LogPath, e.Message);
    }

    [Fact]
    public async Task A_node_that_is_late_is_reported_with_its_log_tail()
    {
        await using var child = Start("echo 'joining seed' >&2; exec cat", "worker-2");
        await Eventually(() => child.Tail().Contains("joining seed"), "the child writes its first line");
        var e = await Assert.ThrowsAsync<LaunchException>(() => child.WaitReadyAsync(TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.Contains("node worker-2 was not ready within 1 s", e.Message);
        Assert.Contains("joining seed", e.Message);
        Assert.Null(child.ExitCode);
    }

    [Fact]
    public async Task Stop_sends_SIGTERM_and_the_node_exits_by_itself()
    {
        await using var child = Start($"trap 'echo leaving >&2; exit 0' TERM; {Ready}; while :; do sleep 0.05; done");
        await child.WaitReadyAsync(Patience, CancellationToken.None);
        await child.StopAsync(Patience);
        Assert.Equal(0, child.ExitCode);
        Assert.Contains("leaving", await File.ReadAllTextAsync(child.LogPath));
    }

    [Fact]
    public async Task A_node_that_ignores_SIGTERM_is_killed_after_the_grace_period()
    {
        await using var child = Start($"trap '' TERM; {Ready}; while :; do sleep 0.05; done");
        await child.WaitReadyAsync(Patience, CancellationToken.None);
        await child.StopAsync(TimeSpan.FromSeconds(1));
        Assert.NotEqual(0, child.ExitCode);
        Assert.Contains("after SIGTERM; killing", await File.ReadAllTextAsync(child.LogPath));
    }
}

using ClusterTrainer.Node.Control;
using ClusterTrainer.Node.Hosting;
using ClusterTrainer.Training.Control;
using Xunit;

namespace ClusterTrainer.Node.Tests.Hosting;

/// <summary>The node's lifecycle with a fake runtime: ready line, leave on a stop request, exit codes.</summary>
public sealed class NodeHostTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly NodeOptions Options = new() { Secret = "s", Token = "t", HttpPort = -1 };

    private sealed class FakeNode : ITrainingNode
    {
        public readonly TaskCompletionSource Terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Func<CancellationToken, Task> Leave { get; set; } = _ => Task.CompletedTask;
        public int Leaves, Disposals;
        public string Address => "ct.tcp://clustertrainer@127.0.0.1:4053";
        /// <summary>Only handed to the control starter, which the tests fake too.</summary>
        public IControlPlane Control => null!;
        public ClusterTrainer.Actors.ActorSystem System => null!;
        public Task WhenTerminated => Terminated.Task;

        public Task LeaveAsync(CancellationToken ct)
        {
            Interlocked.Increment(ref Leaves);
            return Leave(ct);
        }

        public ValueTask DisposeAsync()
        {
            Interlocked.Increment(ref Disposals);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class FakeServer : IAsyncDisposable
    {
        public int Disposals;
        public ValueTask DisposeAsync() { Interlocked.Increment(ref Disposals); return ValueTask.CompletedTask; }
    }

    private static readonly ControlStarter NoControl = (_, _, _, _) => throw new InvalidOperationException("the control API must stay off");

    private static (NodeHost Host, StringWriter Stdout, NodeLog Log) Host(NodeStarter start, ControlStarter? control = null, TimeSpan? leave = null)
    {
        var stdout = new StringWriter();
        return (new NodeHost(start, control ?? NoControl, stdout, leave ?? Patience), stdout, new NodeLog(TextWriter.Null));
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

    private static string Logged(NodeLog log) => string.Join("\n", log.Tail(100));

    [Fact]
    public async Task A_started_node_prints_one_ready_line_then_a_stop_request_makes_it_leave_and_exit_0()
    {
        var node = new FakeNode();
        var stop = new TaskCompletionSource<string>();
        var (host, stdout, log) = Host((_, _, _) => Task.FromResult<ITrainingNode>(node));
        var run = host.RunAsync(Options, log, stop.Task);
        await Eventually(() => stdout.ToString().Length > 0, "the ready line");
        Assert.Equal("ready address=ct.tcp://clustertrainer@127.0.0.1:4053 http=-" + Environment.NewLine, stdout.ToString());
        Assert.False(run.IsCompleted);

        stop.SetResult("SIGTERM");
        Assert.Equal(0, await run.WaitAsync(Patience));
        Assert.Equal(1, node.Leaves);
        Assert.Equal(1, node.Disposals);
        Assert.Contains("SIGTERM: leaving the cluster", Logged(log));
    }

    [Fact]
    public async Task The_control_api_url_is_in_the_ready_line_and_the_server_stops_with_the_node()
    {
        var node = new FakeNode();
        var server = new FakeServer();
        var stop = new TaskCompletionSource<string>();
        NodeOptions? seen = null;
        var (host, stdout, log) = Host((_, _, _) => Task.FromResult<ITrainingNode>(node),
            (o, _, _, _) => { seen = o; return Task.FromResult<(IAsyncDisposable, Uri)>((server, new Uri("http://127.0.0.1:9999/"))); });
        var run = host.RunAsync(Options with { HttpPort = 0 }, log, stop.Task);
        await Eventually(() => stdout.ToString().Length > 0, "the ready line");
        Assert.EndsWith(" http=http://127.0.0.1:9999" + Environment.NewLine, stdout.ToString());
        Assert.Equal(0, seen!.HttpPort);
        stop.SetResult("SIGINT");
        Assert.Equal(0, await run.WaitAsync(Patience));
        Assert.Equal(1, server.Disposals);
    }

    [Fact]
    public async Task A_node_whose_actor_system_terminates_by_itself_exits_0_without_leaving_again()
    {
        var node = new FakeNode();
        var (host, _, log) = Host((_, _, _) => Task.FromResult<ITrainingNode>(node));
        var run = host.RunAsync(Options, log, new TaskCompletionSource<string>().Task);
        node.Terminated.SetResult();
        Assert.Equal(0, await run.WaitAsync(Patience));
        Assert.Equal(0, node.Leaves);
        Assert.Equal(1, node.Disposals);
    }

    [Fact]
    public async Task Options_the_runtime_refuses_exit_2_and_other_start_failures_exit_1()
    {
        var (refused, stdout, log) = Host((_, _, _) => throw new ArgumentException("Seeds: no seed answers"));
        Assert.Equal(2, await refused.RunAsync(Options, log, new TaskCompletionSource<string>().Task).WaitAsync(Patience));
        Assert.Contains("the node settings were refused: Seeds: no seed answers", Logged(log));
        Assert.Equal("", stdout.ToString());

        var (failed, _, log2) = Host((_, _, _) => Task.FromException<ITrainingNode>(new IOException("address already in use")));
        Assert.Equal(1, await failed.RunAsync(Options, log2, new TaskCompletionSource<string>().Task).WaitAsync(Patience));
        Assert.Contains("could not start: IOException: address already in use", Logged(log2));
    }

    [Fact]
    public async Task A_stop_request_while_starting_cancels_the_start_and_exits_0()
    {
        var stop = new TaskCompletionSource<string>();
        var (host, stdout, log) = Host(async (_, _, ct) => { await Task.Delay(Timeout.Infinite, ct); throw new InvalidOperationException("unreachable"); });
        var run = host.RunAsync(Options, log, stop.Task);
        stop.SetResult("SIGTERM");
        Assert.Equal(0, await run.WaitAsync(Patience));
        Assert.Equal("", stdout.ToString());
    }

    [Fact]
    public async Task A_control_api_that_cannot_start_stops_the_node_and_exits_1()
    {
        var node = new FakeNode();
        var (host, stdout, log) = Host((_, _, _) => Task.FromResult<ITrainingNode>(node),
            (_, _, _, _) => throw new IOException("address already in use"));
        Assert.Equal(1, await host.RunAsync(Options with { HttpPort = 8080 }, log, new TaskCompletionSource<string>().Task).WaitAsync(Patience));
        Assert.Contains("control API could not start on 127.0.0.1:8080: address already in use", Logged(log));
        Assert.Equal(1, node.Disposals);
        Assert.Equal("", stdout.ToString());
    }

    [Fact]
    public async Task A_leave_that_does_not_finish_in_time_exits_1()
    {
        var node = new FakeNode { Leave = ct => Task.Delay(Timeout.Infinite, ct) };
        var stop = new TaskCompletionSource<string>();
        var (host, _, log) = Host((_, _, _) => Task.FromResult<ITrainingNode>(node), leave: TimeSpan.FromMilliseconds(200));
        var run = host.RunAsync(Options, log, stop.Task);
        stop.SetResult("SIGTERM");
        Assert.Equal(1, await run.WaitAsync(Patience));
        Assert.Contains("did not leave the cluster within", Logged(log));
        Assert.Equal(1, node.Disposals);
    }
}

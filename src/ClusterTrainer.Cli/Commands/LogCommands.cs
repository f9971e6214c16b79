using System.CommandLine;

namespace ClusterTrainer.Cli.Commands;

/// <summary><c>ctr log tail [-n N] [-f]</c>: the node's own log.</summary>
internal static class LogCommands
{
    public static Command Create(CliContext context, Globals globals)
    {
        var log = new Command("log", "Read the node's log");
        var lines = new Option<int>("--lines", "-n") { Description = "How many of the last lines to print", DefaultValueFactory = _ => 100, HelpName = "N" };
        lines.Validators.Add(Checks.AtLeast(1, exclusive: false, "-n must be 1 or more lines"));
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines until Ctrl+C" };
        var tail = new Command("tail", "Print the last lines of the node's log, and with -f follow it") { lines, follow };
        Invocation.Bind(tail, context, globals, async (inv, ct) =>
        {
            var n = inv.Get(lines);
            if (!inv.Get(follow))
            {
                var text = await inv.Client.GetTextAsync($"api/log?tail={n}", ct);
                inv.Context.Out.Write(text.Length == 0 || text.EndsWith('\n') ? text : text + "\n");
                return ExitCodes.Ok;
            }
            using var stream = await inv.Client.OpenStreamAsync($"api/log?tail={n}&follow=true", ct);
            try
            {
                await foreach (var line in stream.ReadAllAsync(ct))
                {
                    inv.Context.Out.WriteLine(line.Data);
                    await inv.Context.Out.FlushAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return ExitCodes.Ok; // Ctrl+C is how a follow ends
            }
            throw new CtrException(ExitCodes.Unreachable, $"{inv.Client.Endpoint.Display} closed the log stream (the node stopped?)");
        });
        log.Subcommands.Add(tail);
        return log;
    }
}

using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using ClusterTrainer.Cli.Commands;

namespace ClusterTrainer.Cli;

/// <summary>
/// <c>ctr</c>: the command tree and its one entry point. Parse errors exit 2 with System.CommandLine's message and a
/// pointer to the command's --help; every command's own errors are mapped by <see cref="Invocation.Bind"/>.
/// </summary>
public static class CtrApp
{
    public static RootCommand Build(CliContext context)
    {
        var globals = new Globals();
        var root = new RootCommand(
            "ctr: the command-line client of a ClusterTrainer node's control API. It talks to one node (--host); "
            + "that node answers for the whole cluster.");
        globals.AddTo(root);
        root.Subcommands.Add(ClusterCommands.Create(context, globals));
        root.Subcommands.Add(RunCommands.Create(context, globals));
        root.Subcommands.Add(CheckpointCommands.Create(context, globals));
        root.Subcommands.Add(ShardCommands.Create(context, globals));
        root.Subcommands.Add(LogCommands.Create(context, globals));
        root.Subcommands.Add(CompletionCommand.Create(context));

        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new HelpWithExitCodes((HelpAction)help.Action!);
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken ct = default)
    {
        var root = Build(context);
        var parse = root.Parse(args);
        var configuration = new InvocationConfiguration
        {
            Output = context.Out,
            Error = context.Error,
            // Ctrl+C cancels the command's token; tests drive cancellation themselves.
            ProcessTerminationTimeout = context.HandleTermination ? TimeSpan.FromSeconds(2) : null,
        };
        if (parse.Action is ParseErrorAction)
        {
            foreach (var error in parse.Errors)
                context.Error.WriteLine($"ctr: {error.Message}");
            context.Error.WriteLine($"usage: {Usage(parse.CommandResult)}   (more: {CommandPath(parse.CommandResult)} --help)");
            return ExitCodes.Usage;
        }
        return await parse.InvokeAsync(configuration, ct);
    }

    private static string CommandPath(System.CommandLine.Parsing.CommandResult? result)
    {
        var names = new List<string>();
        for (var r = result; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            names.Add(r.Command is RootCommand ? "ctr" : r.Command.Name);
        names.Reverse();
        return string.Join(" ", names);
    }

    private static string Usage(System.CommandLine.Parsing.CommandResult result)
    {
        var command = result.Command;
        var parts = new List<string> { CommandPath(result) };
        if (command.Subcommands.Count > 0)
            parts.Add("<" + string.Join("|", command.Subcommands.Select(c => c.Name)) + ">");
        parts.AddRange(command.Arguments.Select(a => a.Arity.MinimumNumberOfValues == 0 ? $"[{a.Name}]" : $"<{a.Name}>"));
        parts.Add("[options]");
        return string.Join(" ", parts);
    }

    /// <summary>The usual help, and under the root's help the exit codes and environment variables.</summary>
    private sealed class HelpWithExitCodes(HelpAction inner) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var code = inner.Invoke(parseResult);
            if (parseResult.CommandResult.Command is RootCommand)
                parseResult.InvocationConfiguration.Output.WriteLine(ExitCodes.HelpText);
            else
                parseResult.InvocationConfiguration.Output.WriteLine("Exit codes: 0 ok, 1 refused/failed, 2 usage, 3 unreachable, 4 auth (ctr --help says more).");
            return code;
        }
    }
}

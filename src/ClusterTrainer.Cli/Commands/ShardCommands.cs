using System.CommandLine;
using ClusterTrainer.Cli.Output;
using ClusterTrainer.Training.Control;

namespace ClusterTrainer.Cli.Commands;

/// <summary><c>ctr shard stats [--run ID]</c>: where the parameter shards live and what they applied.</summary>
internal static class ShardCommands
{
    public static Command Create(CliContext context, Globals globals)
    {
        var shard = new Command("shard", "Inspect the parameter-server shards");
        var run = new Option<string?>("--run") { Description = "Only the shards of this run", HelpName = "ID" };
        var stats = new Command("stats", "Per shard: node, slice of the parameter vector, version, gradients applied and dropped, bytes in/out") { run };
        Invocation.Bind(stats, context, globals, async (inv, ct) =>
        {
            var runId = inv.Get(run);
            var path = runId is null ? "api/shards" : $"api/shards?run={Invocation.Escape(runId)}";
            var shards = await inv.Client.GetAsync<ShardInfo[]>(path, ct);
            if (inv.Format == OutputFormat.Json)
                inv.WriteJson(shards);
            else if (shards.Length == 0)
                inv.Say(runId is null ? "no parameter shards are placed (no run is active)" : $"run {runId} has no parameter shards placed");
            else
                inv.Context.Console.Write(Tables.Shards(shards, inv.Context.Console.Profile.Width));
            return ExitCodes.Ok;
        });
        shard.Subcommands.Add(stats);
        return shard;
    }
}

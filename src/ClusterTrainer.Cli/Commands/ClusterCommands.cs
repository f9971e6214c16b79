using System.CommandLine;
using ClusterTrainer.Cli.Output;
using ClusterTrainer.Training.Control;

namespace ClusterTrainer.Cli.Commands;

/// <summary><c>ctr cluster show|join|leave|down</c>: membership, as Petabridge.Cmd's cluster palette.</summary>
internal static class ClusterCommands
{
    public static Command Create(CliContext context, Globals globals)
    {
        var cluster = new Command("cluster", "Show and change cluster membership");

        var show = new Command("show", "List the members as the node sees them: address, status, roles, reachability, leader");
        Invocation.Bind(show, context, globals, async (inv, ct) =>
        {
            var members = await inv.Client.GetAsync<MemberInfo[]>("api/cluster/members", ct);
            if (inv.Format == OutputFormat.Json)
                inv.WriteJson(members);
            else if (members.Length == 0)
                inv.Say("the node knows no members yet (it has not joined a cluster)");
            else
                inv.Context.Console.Write(Tables.Members(members, inv.Context.Console.Profile.Width));
            return ExitCodes.Ok;
        });

        var joinAddress = Address("The address of a member of the cluster to join, e.g. ctr://10.0.0.5:4053");
        var join = new Command("join", "Ask the node to join the cluster that ADDRESS belongs to") { joinAddress };
        Bind(join, context, globals, "join", joinAddress, optional: false);

        var leaveAddress = Address("The member that should leave; omitted: the node ctr talks to");
        leaveAddress.Arity = ArgumentArity.ZeroOrOne;
        var leave = new Command("leave", "Ask a member to leave the cluster gracefully (its singletons and shards are handed over first)") { leaveAddress };
        Bind(leave, context, globals, "leave", leaveAddress, optional: true);

        var downAddress = Address("The unreachable member to mark down");
        var down = new Command("down", "Mark an unreachable member down so the cluster moves on without it") { downAddress };
        Bind(down, context, globals, "down", downAddress, optional: false);

        cluster.Subcommands.Add(show);
        cluster.Subcommands.Add(join);
        cluster.Subcommands.Add(leave);
        cluster.Subcommands.Add(down);
        return cluster;
    }

    private static Argument<string?> Address(string description) => new("ADDRESS") { Description = description };

    private static void Bind(Command command, CliContext context, Globals globals, string verb, Argument<string?> address, bool optional)
    {
        Invocation.Bind(command, context, globals, async (inv, ct) =>
        {
            var target = inv.Get(address);
            if (!optional && string.IsNullOrWhiteSpace(target))
                throw new CtrException(ExitCodes.Usage, $"cluster {verb} needs the ADDRESS of a member");
            await inv.Client.PostAsync($"api/cluster/{verb}", new AddressRequest(target), ct);
            var who = target ?? $"the node at {inv.Client.Endpoint.Display}";
            inv.Say(verb switch
            {
                "join" => $"{inv.Client.Endpoint.Display} asked to join the cluster of {target}",
                "leave" => $"{who} asked to leave the cluster; watch it go with: ctr cluster show",
                _ => $"{target} marked down",
            });
            return ExitCodes.Ok;
        });
    }
}

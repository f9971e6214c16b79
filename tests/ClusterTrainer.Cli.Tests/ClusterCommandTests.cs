using System.Text.Json;
using ClusterTrainer.Cli.Tests.Fakes;
using ClusterTrainer.Training.Control;
using Xunit;

namespace ClusterTrainer.Cli.Tests;

public sealed class ClusterCommandTests : IAsyncLifetime
{
    private FakeNode _node = null!;

    public async Task InitializeAsync()
    {
        _node = await FakeNode.StartAsync();
        _node.Plane.Members.Add(new MemberInfo("ctr://10.0.0.1:4053", "Up", ["coordinator", "ps"], true, true, true));
        _node.Plane.Members.Add(new MemberInfo("ctr://10.0.0.2:4053", "Up", ["worker"], false, false, false));
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Show_prints_a_table_of_members_with_roles_and_reachability()
    {
        var r = await Ctr.Run(_node, "cluster", "show");
        Assert.True(r.Exit == 0, r.ToString());
        var lines = r.Out.Split('\n');
        Assert.Contains(lines, l => l.Contains("ADDRESS") && l.Contains("ROLES") && l.Contains("REACHABLE"));
        Assert.Contains(lines, l => l.Contains("ctr://10.0.0.1:4053") && l.Contains("coordinator,ps") && l.Contains("yes"));
        Assert.Contains(lines, l => l.Contains("ctr://10.0.0.2:4053") && l.Contains("worker") && l.Contains("no"));
        Assert.Equal("", r.Err);
    }

    [Fact]
    public async Task Show_as_json_round_trips_to_the_contract_records()
    {
        var r = await Ctr.Run(_node, "cluster", "show", "--output", "json");
        Assert.True(r.Exit == 0, r.ToString());
        var members = JsonSerializer.Deserialize<MemberInfo[]>(r.Out, ControlJson.Options)!;
        Assert.Equal(["ctr://10.0.0.1:4053", "ctr://10.0.0.2:4053"], members.Select(m => m.Address));
        Assert.Equal(["coordinator", "ps"], members[0].Roles);
        Assert.False(members[1].Reachable);
    }

    [Fact]
    public async Task Show_says_so_when_the_node_knows_no_members()
    {
        _node.Plane.Members.Clear();
        var r = await Ctr.Run(_node, "cluster", "show");
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Contains("knows no members", r.Out);
    }

    [Fact]
    public async Task Join_leave_and_down_send_the_address_to_the_node()
    {
        Assert.Equal(0, (await Ctr.Run(_node, "cluster", "join", "ctr://10.0.0.9:4053")).Exit);
        Assert.Equal(0, (await Ctr.Run(_node, "cluster", "leave", "ctr://10.0.0.2:4053")).Exit);
        var self = await Ctr.Run(_node, "cluster", "leave");
        Assert.Equal(0, self.Exit);
        Assert.Contains($"the node at {_node.Url}", self.Out);
        var down = await Ctr.Run(_node, "cluster", "down", "ctr://10.0.0.2:4053");
        Assert.Equal(0, down.Exit);
        Assert.Contains("ctr://10.0.0.2:4053 marked down", down.Out);
        Assert.Equal(["Join ctr://10.0.0.9:4053", "Leave ctr://10.0.0.2:4053", "Leave (self)", "Down ctr://10.0.0.2:4053"], _node.Plane.Calls);
    }

    [Fact]
    public async Task Down_without_an_address_is_a_usage_error_and_sends_nothing()
    {
        var r = await Ctr.Run(_node, "cluster", "down");
        Assert.Equal(2, r.Exit);
        Assert.Contains("ADDRESS", r.Err);
        Assert.Contains("ctr cluster down --help", r.Err);
        Assert.Empty(_node.Plane.Calls);
    }
}

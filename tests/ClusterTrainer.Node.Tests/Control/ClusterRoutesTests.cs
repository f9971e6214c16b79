using System.Text.Json;
using ClusterTrainer.Training.Control;
using Xunit;

namespace ClusterTrainer.Node.Tests.Control;

public sealed class ClusterRoutesTests
{
    private const string Peer = "ct.tcp://clustertrainer@127.0.0.1:4054";

    [Fact]
    public async Task Members_gives_each_member_with_roles_and_flags()
    {
        await using var h = await ControlHarness.StartAsync();
        h.Plane.MemberList.Add(new MemberInfo(Peer, "Up", ["ps", "worker"], true, false, false));
        h.Plane.MemberList.Add(new MemberInfo("ct.tcp://clustertrainer@127.0.0.1:4053", "Up", ["coordinator"], true, true, true));
        using var response = await h.Client.GetAsync("/api/cluster/members");
        var body = await ControlHarness.ReadJson(response);
        Assert.Equal(2, body.GetArrayLength());
        Assert.Equal(Peer, body[0].GetProperty("address").GetString());
        Assert.Equal(["ps", "worker"], body[0].GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.True(body[1].GetProperty("isLeader").GetBoolean());
        Assert.True(body[1].GetProperty("isSelf").GetBoolean());
        Assert.Equal(h.Plane.MemberList, body.Deserialize<MemberInfo[]>(ControlJson.Options)!, MemberComparer.Instance);
    }

    [Theory]
    [InlineData("join")]
    [InlineData("leave")]
    [InlineData("down")]
    public async Task Join_leave_and_down_pass_the_address_and_answer_202(string verb)
    {
        await using var h = await ControlHarness.StartAsync();
        using var response = await h.Client.PostAsync($"/api/cluster/{verb}", ControlHarness.Json($$"""{"address":"{{Peer}}"}"""));
        Assert.Equal(202, (int)response.StatusCode);
        Assert.Equal([$"{verb} {Peer}"], h.Plane.Calls);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("""{"address":null}""")]
    public async Task Leave_without_an_address_makes_this_node_leave(string body)
    {
        await using var h = await ControlHarness.StartAsync();
        using var response = await h.Client.PostAsync("/api/cluster/leave", ControlHarness.Json(body));
        Assert.Equal(202, (int)response.StatusCode);
        Assert.Equal(["leave <self>"], h.Plane.Calls);
    }

    [Theory]
    [InlineData("join", "")]
    [InlineData("down", "{}")]
    [InlineData("down", """{"address":"  "}""")]
    public async Task Join_and_down_without_an_address_are_400(string verb, string body)
    {
        await using var h = await ControlHarness.StartAsync();
        using var response = await h.Client.PostAsync($"/api/cluster/{verb}", ControlHarness.Json(body));
        var error = await ControlHarness.ReadError(response, 400);
        Assert.Contains("address", error);
        Assert.Empty(h.Plane.Calls);
    }

    [Fact]
    public async Task Shards_are_filtered_by_the_run_query()
    {
        await using var h = await ControlHarness.StartAsync();
        h.Plane.ShardList.Add(new ShardInfo("run-a", 0, "node-a", 0, 1000, 12, 11, 1, 0, 4000, 8000));
        h.Plane.ShardList.Add(new ShardInfo("run-b", 0, "node-b", 0, 500, 3, 3, 0, 2, 100, 200));
        using var all = await h.Client.GetAsync("/api/shards");
        Assert.Equal(2, (await ControlHarness.ReadJson(all)).GetArrayLength());
        using var one = await h.Client.GetAsync("/api/shards?run=run-b");
        var body = await ControlHarness.ReadJson(one);
        Assert.Equal([h.Plane.ShardList[1]], body.Deserialize<ShardInfo[]>(ControlJson.Options)!);
        Assert.Equal(2, body[0].GetProperty("staleDropped").GetInt64());
        Assert.Equal(["shards <all>", "shards run-b"], h.Plane.Calls);
    }

    /// <summary>Records compare lists by reference; members are equal when their fields and roles are.</summary>
    private sealed class MemberComparer : IEqualityComparer<MemberInfo>
    {
        public static readonly MemberComparer Instance = new();
        public bool Equals(MemberInfo? x, MemberInfo? y) =>
            x is not null && y is not null && x with { Roles = [] } == y with { Roles = [] } && x.Roles.SequenceEqual(y.Roles);
        public int GetHashCode(MemberInfo obj) => obj.Address.GetHashCode(StringComparison.Ordinal);
    }
}

using System.Collections;
using ClusterTrainer.Node.Settings;
using ClusterTrainer.Training.Control;
using Xunit;

namespace ClusterTrainer.Node.Tests.Settings;

public sealed class NodeSettingsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ct-settings-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The smallest valid settings: a secret and a token on the command line.</summary>
    private static readonly string[] Valid = ["--secret", "s", "--token", "t"];

    private NodeCommandLine Load(string[] args, Dictionary<string, string>? env = null, string? baseJson = null)
    {
        if (baseJson is not null) File.WriteAllText(Path.Combine(_dir, NodeSettings.FileName), baseJson);
        return NodeSettings.Load(args, new Hashtable(env ?? []), _dir);
    }

    private IReadOnlyList<SettingsProblem> Problems(string[] args, Dictionary<string, string>? env = null, string? baseJson = null) =>
        Assert.Throws<SettingsException>(() => Load(args, env, baseJson)).Problems;

    private string Json(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Defaults_are_the_table_in_NodeOptions()
    {
        var o = Load(Valid).Options;
        var d = new NodeOptions();
        Assert.Equal(d with { Secret = "s", Token = "t" }, o with { Seeds = d.Seeds, Roles = d.Roles });
        Assert.Equal(["coordinator", "ps", "worker"], o.Roles);
        Assert.Empty(o.Seeds);
        Assert.Equal(4053, o.Port);
        Assert.Equal(8080, o.HttpPort);
        Assert.Equal("sqlite:clustertrainer.db", o.Store);
    }

    [Fact]
    public void Later_sources_win_json_then_config_file_then_environment_then_flags()
    {
        string config = Json("extra.json", """{ "Node": { "Port": 2002, "Threads": 3, "Device": "cpu", "Store": "sqlite:config.db" } }""");
        var env = new Dictionary<string, string>
        {
            ["CLUSTERTRAINER_NODE__PORT"] = "3003", ["clustertrainer_node__threads"] = "4", ["UNRELATED"] = "x",
        };
        var o = Load(["--config", config, "--port", "4004", "--secret", "s", "--token", "t"], env,
            """{ "Node": { "Port": 1001, "Threads": 2, "Device": "cuda", "Store": "sqlite:base.db", "Host": "0.0.0.0" } }""").Options;
        Assert.Equal("0.0.0.0", o.Host);          // only in appsettings.json
        Assert.Equal("sqlite:config.db", o.Store); // --config beats appsettings.json
        Assert.Equal("cpu", o.Device);
        Assert.Equal(4, o.Threads);                // environment beats both files (names are case-insensitive)
        Assert.Equal(4004, o.Port);                // flags beat everything
    }

    [Fact]
    public void Lists_are_json_arrays_in_files_and_comma_separated_text_elsewhere()
    {
        const string seed = "ct.tcp://clustertrainer@10.0.0.5:4053";
        var fromJson = Load(Valid, baseJson: $$"""{ "Node": { "Roles": ["PS", "worker", "ps"], "Seeds": ["{{seed}}"] } }""").Options;
        Assert.Equal(["ps", "worker"], fromJson.Roles);
        Assert.Equal([seed], fromJson.Seeds);

        var fromEnv = Load(Valid, new() { ["CLUSTERTRAINER_NODE__ROLES"] = "worker", ["CLUSTERTRAINER_NODE__SEEDS"] = $" {seed} , ct.tcp://clustertrainer@h2:1 " },
            """{ "Node": { "Roles": ["ps"] } }""").Options;
        Assert.Equal(["worker"], fromEnv.Roles);
        Assert.Equal([seed, "ct.tcp://clustertrainer@h2:1"], fromEnv.Seeds);
    }

    [Fact]
    public void Flags_take_the_value_after_them_or_after_an_equals_sign()
    {
        var cmd = Load(["--secret=s", "--token", "t", "--http-port=-1", "--public-host", "node1.example", "--exit-with-parent"]);
        Assert.Equal(-1, cmd.Options.HttpPort);
        Assert.Equal("node1.example", cmd.Options.PublicHost);
        Assert.True(cmd.ExitWithParent);
        Assert.False(cmd.Help);
    }

    [Theory]
    [InlineData("--port", "65536", "Port", "out of range")]
    [InlineData("--port", "-1", "Port", "out of range")]
    [InlineData("--port", "abc", "Port", "not a whole number")]
    [InlineData("--http-port", "-2", "HttpPort", "out of range")]
    [InlineData("--http-port", "70000", "HttpPort", "out of range")]
    [InlineData("--threads", "2000", "Threads", "out of range")]
    [InlineData("--roles", "ps,wroker", "Roles", "'wroker', which is not a role (did you mean worker?)")]
    [InlineData("--roles", " , ", "Roles", "names no role")]
    [InlineData("--seeds", "ct.tcp://other@h:4053", "Seeds", "not a seed address")]
    [InlineData("--seeds", "tcp://clustertrainer@h:4053", "Seeds", "not a seed address")]
    [InlineData("--seeds", "ct.tcp://clustertrainer@h:0", "Seeds", "not a seed address")]
    [InlineData("--seeds", "ct.tcp://clustertrainer@h", "Seeds", "not a seed address")]
    [InlineData("--store", "mysql:db", "Store", "neither sqlite: nor postgres:")]
    [InlineData("--store", "sqlite:", "Store", "no database file")]
    [InlineData("--store", "postgres:", "Store", "no connection string")]
    [InlineData("--store", "postgres:Host=db;Password='x", "Store", "malformed PostgreSQL connection string")]
    [InlineData("--device", "gpu", "Device", "not a device (did you mean cpu?)")]
    [InlineData("--device", "tpu", "Device", "not a device")]
    [InlineData("--host", "", "Host", "is empty")]
    [InlineData("--host", "bad host!", "Host", "not an IP address or host name")]
    [InlineData("--checkpoint-dir", " ", "CheckpointDir", "is empty")]
    [InlineData("--data-dir", "", "DataDir", "is empty")]
    public void A_bad_value_names_the_key_the_source_and_what_is_allowed(string flag, string value, string key, string expected)
    {
        var problem = Assert.Single(Problems([.. Valid, flag, value]));
        Assert.Equal(key, problem.Key);
        Assert.Equal($"command line {flag}", problem.Source);
        Assert.Contains(expected, problem.Message);
        Assert.Contains("allowed: " + SettingTable.ByKey(key)!.Allowed, problem.Message);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_with_where_its_value_came_from()
    {
        string config = Json("bad.json", """{ "Node": { "Device": "gpu" } }""");
        var problems = Problems(["--config", config, "--port", "99999", "--prot", "1", "--token", "t"],
            new() { ["CLUSTERTRAINER_NODE__ROLES"] = "boss" }, """{ "Node": { "Store": "redis:x" } }""");
        Assert.Equal(6, problems.Count);
        Assert.Contains(problems, p => p.Key == "--prot" && p.Message.Contains("unknown flag (did you mean --port?)"));
        Assert.Contains(problems, p => p.Key == "Port" && p.Source == "command line --port");
        Assert.Contains(problems, p => p.Key == "Roles" && p.Source == "environment CLUSTERTRAINER_NODE__ROLES");
        Assert.Contains(problems, p => p.Key == "Device" && p.Source == $"{config} Node:Device");
        Assert.Contains(problems, p => p.Key == "Store" && p.Source == $"{Path.Combine(_dir, NodeSettings.FileName)} Node:Store");
        Assert.Contains(problems, p => p.Key == "Secret" && p.Source == "default" && p.Message.Contains("CLUSTERTRAINER_NODE__SECRET"));
        var all = new SettingsException(problems).Message;
        Assert.StartsWith("6 problem(s) in the node settings:", all);
    }

    [Fact]
    public void A_missing_or_empty_secret_is_refused()
    {
        Assert.Contains("secret is missing", Assert.Single(Problems(["--token", "t"])).Message);
        var empty = Assert.Single(Problems(["--token", "t"], new() { ["CLUSTERTRAINER_NODE__SECRET"] = "" }));
        Assert.Equal("environment CLUSTERTRAINER_NODE__SECRET", empty.Source);
    }

    [Fact]
    public void A_token_is_required_only_while_the_control_api_is_on()
    {
        var problem = Assert.Single(Problems(["--secret", "s", "--http-port", "0"]));
        Assert.Equal("Token", problem.Key);
        Assert.Contains("HttpPort is 0 (command line --http-port)", problem.Message);
        Assert.Contains("--http-port -1", problem.Message);
        Assert.Null(Load(["--secret", "s", "--http-port", "-1"]).Options.Token);
    }

    [Fact]
    public void Secret_and_token_values_never_appear_in_messages()
    {
        string json = Json("secret.json", """{ "Node": { "Secret": { "nested": "hunter2" } } }""");
        var problem = Assert.Single(Problems(["--config", json, "--token", "t"]));
        Assert.Equal("Secret", problem.Key);
        Assert.DoesNotContain("hunter2", new SettingsException([problem]).Message);
    }

    [Fact]
    public void Unknown_flags_keys_and_environment_names_are_refused_with_a_suggestion()
    {
        var problems = Problems([.. Valid, "--http-prt", "1", "stray"],
            new() { ["CLUSTERTRAINER_NODE__HTTPPROT"] = "1" }, """{ "Node": { "Seed": "x" } }""");
        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.Key == "--http-prt" && p.Message.Contains("(did you mean --http-port?)"));
        Assert.Contains(problems, p => p.Key == "stray" && p.Message.Contains("unexpected argument"));
        Assert.Contains(problems, p => p.Key == "CLUSTERTRAINER_NODE__HTTPPROT" && p.Message.Contains("(did you mean CLUSTERTRAINER_NODE__HTTPPORT?)"));
        Assert.Contains(problems, p => p.Key == "Node:Seed" && p.Message.Contains("(did you mean Seeds?)"));
    }

    [Fact]
    public void A_flag_without_its_value_is_refused()
    {
        var problem = Assert.Single(Problems([.. Valid, "--port"]));
        Assert.Equal("--port", problem.Key);
        Assert.Contains("needs a value", problem.Message);
    }

    [Fact]
    public void A_missing_or_malformed_config_file_is_refused()
    {
        var missing = Assert.Single(Problems([.. Valid, "--config", Path.Combine(_dir, "nope.json")]));
        Assert.Contains("does not exist", missing.Message);
        string broken = Json("broken.json", "{ \"Node\": { \"Port\": ");
        var malformed = Assert.Single(Problems([.. Valid, "--config", broken]));
        Assert.Equal(broken, malformed.Key);
        Assert.Contains("cannot be read as JSON", malformed.Message);
        Assert.Contains("needs the path", Assert.Single(Problems([.. Valid, "--config="])).Message);
    }

    [Fact]
    public void A_scalar_setting_given_as_a_json_object_is_refused()
    {
        var problem = Assert.Single(Problems(Valid, baseJson: """{ "Node": { "Port": { "value": 1 } } }"""));
        Assert.Equal("Port", problem.Key);
        Assert.Contains("give a single value", problem.Message);
    }

    [Fact]
    public void Help_is_answered_even_when_settings_are_incomplete()
    {
        var cmd = Load(["--help"]);
        Assert.True(cmd.Help);
        string usage = NodeCommandLineParser.Usage();
        foreach (var s in SettingTable.All)
        {
            Assert.Contains(s.Flag, usage);
            Assert.Contains(s.Environment, usage);
        }
    }
}

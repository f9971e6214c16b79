using ClusterTrainer.Node.Control;
using ClusterTrainer.Training.Control;
using Xunit;

namespace ClusterTrainer.Node.Tests.Control;

public sealed class MetricsTests
{
    private static MetricSample Sample(string name, double value, params (string Key, string Value)[] labels) =>
        new(name, $"help for {name}", name.EndsWith("_total", StringComparison.Ordinal) ? "counter" : "gauge",
            labels.ToDictionary(l => l.Key, l => l.Value), value);

    private static readonly MetricSample[] PlaneSamples =
    [
        Sample("ct_steps_total", 120, ("run", "run-1")),
        Sample("ct_loss", 0.42, ("run", "run-1")),
        Sample("ct_steps_total", 7, ("run", "run-2")),
        Sample("ct_shard_bytes_in_total", 4096, ("shard", "0"), ("run", "run-1")),
        Sample("ct_members", 3),
    ];

    [Fact]
    public async Task Metrics_is_prometheus_text_with_the_planes_samples_and_process_metrics()
    {
        var plane = new FakeControlPlane();
        plane.MetricSamples.AddRange(PlaneSamples);
        await using var h = await ControlHarness.StartAsync(plane);
        using var response = await h.Anonymous.GetAsync("/metrics");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var families = PrometheusParser.Parse(await response.Content.ReadAsStringAsync()).ToDictionary(f => f.Name);

        var steps = families["ct_steps_total"];
        Assert.Equal(("counter", "help for ct_steps_total"), (steps.Type, steps.Help));
        Assert.Equal([("run-1", 120.0), ("run-2", 7.0)], steps.Samples.Select(s => (s.Labels["run"], s.Value)));
        Assert.Equal(0.42, Assert.Single(families["ct_loss"].Samples).Value);
        var shard = Assert.Single(families["ct_shard_bytes_in_total"].Samples);
        Assert.Equal(new Dictionary<string, string> { ["run"] = "run-1", ["shard"] = "0" }, shard.Labels);
        Assert.Empty(Assert.Single(families["ct_members"].Samples).Labels);

        Assert.True(Assert.Single(families["process_resident_memory_bytes"].Samples).Value > 0);
        Assert.Equal("counter", families["process_cpu_seconds_total"].Type);
        Assert.True(Assert.Single(families["process_cpu_seconds_total"].Samples).Value > 0);
        var start = DateTimeOffset.FromUnixTimeMilliseconds((long)(Assert.Single(families["process_start_time_seconds"].Samples).Value * 1000));
        Assert.InRange(start, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow);
        Assert.True(Assert.Single(families["dotnet_gc_heap_bytes"].Samples).Value > 0);
        Assert.Contains(families["dotnet_gc_collections_total"].Samples, s => s.Labels["generation"] == "0");
    }

    [Fact]
    public void Label_values_and_help_are_escaped_and_read_back_unchanged()
    {
        var tricky = "back\\slash \"quoted\"\nnew line, {braces}=";
        var text = PrometheusText.Format([new MetricSample("ct_odd", "help with \\ and\nnewline \"kept\"", "gauge",
            new Dictionary<string, string> { ["path"] = tricky, ["empty"] = "" }, 1)]);
        Assert.Contains("\\\\", text);
        Assert.Contains("\\\"quoted\\\"", text);
        var family = Assert.Single(PrometheusParser.Parse(text));
        Assert.Equal("help with \\ and\nnewline \"kept\"", family.Help);
        var sample = Assert.Single(family.Samples);
        Assert.Equal(tricky, sample.Labels["path"]);
        Assert.Equal("", sample.Labels["empty"]);
    }

    [Fact]
    public void Output_is_the_same_whatever_order_the_samples_come_in()
    {
        var forward = PrometheusText.Format(PlaneSamples);
        var backward = PrometheusText.Format(PlaneSamples.Reverse());
        var shuffled = PrometheusText.Format(PlaneSamples.OrderBy(s => s.Value.GetHashCode()));
        Assert.Equal(forward, backward);
        Assert.Equal(forward, shuffled);
        var names = PrometheusParser.Parse(forward).Select(f => f.Name).ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
    }

    [Fact]
    public void Help_and_type_come_once_per_name_and_duplicate_series_are_dropped()
    {
        var text = PrometheusText.Format([Sample("ct_x_total", 1, ("a", "1")), Sample("ct_x_total", 2, ("a", "2")), Sample("ct_x_total", 9, ("a", "1"))]);
        Assert.Equal(1, text.Split('\n').Count(l => l.StartsWith("# HELP ct_x_total ", StringComparison.Ordinal)));
        Assert.Equal(1, text.Split('\n').Count(l => l.StartsWith("# TYPE ct_x_total ", StringComparison.Ordinal)));
        Assert.Equal([1.0, 2.0], Assert.Single(PrometheusParser.Parse(text)).Samples.Select(s => s.Value));
    }

    [Fact]
    public void Names_outside_the_grammar_are_made_valid_and_unknown_types_become_untyped()
    {
        var text = PrometheusText.Format([new MetricSample("ct.loss-per/step", "h", "summary-ish",
            new Dictionary<string, string> { ["9bad-label"] = "v", ["ok:no"] = "w" }, 2)]);
        var family = Assert.Single(PrometheusParser.Parse(text));
        Assert.Equal(("ct_loss_per_step", "untyped"), (family.Name, family.Type));
        Assert.Equal(["_bad_label", "ok_no"], Assert.Single(family.Samples).Labels.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(0.1, "0.1")]
    [InlineData(-2.5e-7, "-2.5E-07")]
    [InlineData(12345678901234.0, "12345678901234")]
    public void Values_are_written_in_a_form_prometheus_reads(double value, string text)
    {
        Assert.Equal(text, PrometheusText.Number(value));
        var sample = Assert.Single(Assert.Single(PrometheusParser.Parse(PrometheusText.Format([Sample("ct_v", value)]))).Samples);
        Assert.Equal(value, sample.Value);
    }
}

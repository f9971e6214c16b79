using ClusterTrainer.Torch.Optim;
using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.Golden;

/// <summary>
/// Every scheduler's lr sequence over 15 epochs against torch.optim.lr_scheduler 1.13
/// (fixtures/optim/schedulers.json), on an SGD with two groups (lr 0.1 and 0.05).
/// </summary>
[Trait("Category", "Golden")]
public sealed class OptimSchedulerGoldenTests
{
    /// <summary>Each case twice: driving an SGD's two groups, and driving a standalone list of two rates.</summary>
    public static TheoryData<string, bool> CaseNames()
    {
        var data = new TheoryData<string, bool>();
        foreach (var c in OptimFixtures.Schedulers.Value)
        {
            data.Add(c.Name, false);
            data.Add(c.Name, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Lr_sequence_matches_torch(string name, bool standalone)
    {
        var c = OptimFixtures.Schedulers.Value.Single(s => s.Name == name);
        using var p = OptimTensors.FromFloats([0f], [1]);
        using var q = OptimTensors.FromFloats([0f], [1]);
        var defaults = new SGD.Options { LearningRate = c.BaseLrs[0] };
        using var sgd = new SGD([new ParamGroup([p]), new ParamGroup([q], defaults with { LearningRate = c.BaseLrs[1] })],
            defaults);
        LrTarget opt = standalone ? LrTarget.Standalone(c.BaseLrs) : sgd;
        var a = c.Args;
        var lrs = new List<double[]> { Lrs(opt) };
        if (c.Scheduler == "ReduceLROnPlateau")
        {
            var minLr = a.GetProperty("min_lr");
            double[] minLrs = minLr.ValueKind == System.Text.Json.JsonValueKind.Array
                ? minLr.EnumerateArray().Select(x => x.GetDouble()).ToArray()
                : [minLr.GetDouble(), minLr.GetDouble()];
            var sched = new ReduceLROnPlateau(opt, a.GetProperty("mode").GetString()!, a.GetProperty("factor").GetDouble(),
                a.GetProperty("patience").GetInt32(), a.GetProperty("threshold").GetDouble(),
                a.GetProperty("threshold_mode").GetString()!, a.GetProperty("cooldown").GetInt32(), minLrs);
            foreach (var metric in c.Metrics!)
            {
                sched.step(metric);
                lrs.Add(Lrs(opt));
                Assert.Equal(Lrs(opt), sched.get_last_lr());
            }
        }
        else
        {
            LRScheduler sched = c.Scheduler switch
            {
                "StepLR" => optim.lr_scheduler.StepLR(opt, a.GetProperty("step_size").GetInt32(), a.GetProperty("gamma").GetDouble()),
                "MultiStepLR" => optim.lr_scheduler.MultiStepLR(opt,
                    a.GetProperty("milestones").EnumerateArray().Select(m => m.GetInt32()), a.GetProperty("gamma").GetDouble()),
                "ExponentialLR" => optim.lr_scheduler.ExponentialLR(opt, a.GetProperty("gamma").GetDouble()),
                "CosineAnnealingLR" => optim.lr_scheduler.CosineAnnealingLR(opt, a.GetProperty("T_max").GetInt32(),
                    a.GetProperty("eta_min").GetDouble()),
                "LambdaLR" => optim.lr_scheduler.LambdaLR(opt, epoch => 1.0 / (1.0 + epoch)),
                _ => throw new InvalidOperationException($"fixture names unknown scheduler {c.Scheduler}"),
            };
            lrs[0] = Lrs(opt);
            for (int e = 1; e < c.Lrs.Length; e++)
            {
                sched.step();
                lrs.Add(Lrs(opt));
                Assert.Equal(Lrs(opt), sched.get_last_lr());
            }
        }
        Assert.Equal(c.Lrs.Length, lrs.Count);
        for (int e = 0; e < c.Lrs.Length; e++)
            for (int g = 0; g < 2; g++)
                OptimTolerance.AssertClose(c.Lrs[e][g], lrs[e][g], $"{name}: lr of group {g} at epoch {e}");
    }

    public static TheoryData<string> CatalogCaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in OptimFixtures.Schedulers.Value)
            if (c.Scheduler != "LambdaLR") data.Add(c.Name);
        return data;
    }

    /// <summary>The same sequences when the scheduler is built from its name and keyword arguments (a run spec).</summary>
    [Theory]
    [MemberData(nameof(CatalogCaseNames))]
    public void Catalog_built_scheduler_matches_torch(string name)
    {
        var c = OptimFixtures.Schedulers.Value.Single(s => s.Name == name);
        var target = LrTarget.Standalone(c.BaseLrs);
        var args = c.Args.EnumerateObject().ToDictionary(p => p.Name, p => ToObject(p.Value));
        var schedule = SchedulerCatalog.Create(c.Scheduler, target, args);
        for (int e = 1; e < c.Lrs.Length; e++)
        {
            schedule.EpochEnd(c.Metrics?[e - 1]);
            for (int g = 0; g < 2; g++)
                OptimTolerance.AssertClose(c.Lrs[e][g], schedule.get_last_lr()[g], $"{name}: lr of group {g} at epoch {e}");
        }
    }

    private static object ToObject(System.Text.Json.JsonElement e) => e.ValueKind switch
    {
        System.Text.Json.JsonValueKind.Number => e.GetDouble(),
        System.Text.Json.JsonValueKind.String => e.GetString()!,
        System.Text.Json.JsonValueKind.Array => e.EnumerateArray().Select(ToObject).ToArray(),
        _ => throw new InvalidOperationException($"unexpected fixture argument {e}"),
    };

    private static double[] Lrs(LrTarget target) => Enumerable.Range(0, target.Count).Select(i => target[i]).ToArray();
}

using ClusterTrainer.Torch.Optim;
using Xunit;

namespace ClusterTrainer.Torch.Tests.Optim;

/// <summary>Scheduler specs that are wrong are refused with what is allowed.</summary>
public sealed class SchedulerCatalogTests
{
    [Fact]
    public void Mistakes_are_refused_with_what_is_allowed()
    {
        var target = LrTarget.Standalone(0.1);
        void Refused(string name, Dictionary<string, object>? kw, string fragment) =>
            Assert.Contains(fragment, Assert.Throws<ArgumentException>(() => SchedulerCatalog.Create(name, target, kw)).Message);

        Refused("warmup", null, "Known: steplr");
        Refused("steplr", null, "needs 'step_size'");
        Refused("steplr", new() { ["step_size"] = 2.5 }, "a whole number");
        Refused("steplr", new() { ["step_size"] = 3, ["gama"] = 0.5 }, "Unknown argument 'gama'");
        Refused("multisteplr", new() { ["milestones"] = 3 }, "list of whole numbers");
        Refused("reducelronplateau", new() { ["mode"] = 1 }, "must be a string");
        Refused("reducelronplateau", new() { ["mode"] = "lowest" }, "\"min\" or \"max\"");
        Refused("reducelronplateau", new() { ["min_lr"] = "none" }, "one per parameter group");
        Refused("cosineannealinglr", new() { ["T_max"] = 0 }, ">= 1");

        var plateau = SchedulerCatalog.Create("plateau", target);
        Assert.IsType<ReduceLROnPlateau>(plateau);
        Assert.IsType<CosineAnnealingLR>(SchedulerCatalog.Create("cosine", LrTarget.Standalone(0.1),
            new Dictionary<string, object> { ["T_max"] = 10 }));
        Assert.Contains("validation metric", Assert.Throws<ArgumentException>(() => plateau.EpochEnd()).Message);
    }
}

using ClusterTrainer.Torch.Optim;
using ClusterTrainer.Torch.Tests.Golden;
using Xunit;

namespace ClusterTrainer.Torch.Tests.Optim;

/// <summary>Building optimizers from a run spec's name and keyword arguments.</summary>
public sealed class OptimizerCatalogTests
{
    [Fact]
    public void Every_known_name_builds_its_optimizer_with_the_given_hyperparameters()
    {
        using var w = OptimTensors.FromFloats([1f, 2f], [2]);
        foreach (var name in OptimizerCatalog.Names)
        {
            var kw = new Dictionary<string, object> { ["lr"] = "0.25" };
            using var opt = OptimizerCatalog.Create(name.ToUpperInvariant(), [w], kw);
            Assert.Equal(0.25, opt.param_groups[0].LearningRate);
            Assert.Equal(name, opt.GetType().Name, StringComparer.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Hyperparameters_are_typed_and_defaulted_like_pytorch()
    {
        using var w = OptimTensors.FromFloats([1f], [1]);
        using var adamw = OptimizerCatalog.Create("adamw", [w],
            new Dictionary<string, object> { ["betas"] = new object[] { 0.8, "0.99" }, ["amsgrad"] = true });
        var o = (Adam.Options)adamw.param_groups[0].Options;
        Assert.Equal((0.8, 0.99), o.betas);
        Assert.True(o.amsgrad);
        Assert.Equal(1e-2, o.weight_decay);
        Assert.Equal(1e-3, o.LearningRate);

        using var sgd = OptimizerCatalog.Create("sgd", [w],
            new Dictionary<string, object> { ["lr"] = 0.1, ["momentum"] = 0.9, ["nesterov"] = "true" });
        Assert.True(((SGD.Options)sgd.param_groups[0].Options).nesterov);
    }

    [Fact]
    public void Mistakes_are_refused_with_what_is_allowed()
    {
        using var w = OptimTensors.FromFloats([1f], [1]);
        var ex = Assert.Throws<ArgumentException>(() => OptimizerCatalog.Create("adamm", [w]));
        Assert.Contains("Known: sgd", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => OptimizerCatalog.Create("adam", [w],
            new Dictionary<string, object> { ["momentum"] = 0.9 }));
        Assert.Contains("Unknown hyperparameter 'momentum'", ex.Message);
        Assert.Contains("Allowed: lr, betas", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => OptimizerCatalog.Create("sgd", [w]));
        Assert.Contains("needs 'lr'", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => OptimizerCatalog.Create("adam", [w],
            new Dictionary<string, object> { ["betas"] = 0.9 }));
        Assert.Contains("list of two numbers", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => OptimizerCatalog.Create("rmsprop", [w],
            new Dictionary<string, object> { ["centered"] = "yes" }));
        Assert.Contains("true or false", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => OptimizerCatalog.Create("adam", [w],
            new Dictionary<string, object> { ["lr"] = -1 }));
        Assert.Contains(">= 0", ex.Message);
    }
}

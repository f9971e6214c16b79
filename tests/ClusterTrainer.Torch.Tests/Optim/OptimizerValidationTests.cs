using ClusterTrainer.Torch.Optim;
using ClusterTrainer.Torch.Tests.Golden;
using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.Optim;

/// <summary>Bad hyperparameters and bad calls are refused with a message that names the allowed range or the fix.</summary>
public sealed class OptimizerValidationTests : IDisposable
{
    private readonly Tensor _w = OptimTensors.FromFloats([1f, 2f, 3f], [3]);
    private readonly Tensor _b = OptimTensors.FromFloats([0.5f], [1]);

    public void Dispose()
    {
        _w.Dispose();
        _b.Dispose();
    }

    private static void Refused(Action create, params string[] fragments)
    {
        var ex = Assert.Throws<ArgumentException>(create);
        foreach (var f in fragments) Assert.Contains(f, ex.Message);
    }

    [Fact]
    public void Negative_learning_rate_is_refused_by_every_optimizer()
    {
        Tensor[] ps = [_w];
        Refused(() => optim.SGD(ps, lr: -0.1), "learning rate", "-0.1", ">= 0");
        Refused(() => optim.Adagrad(ps, lr: -1), "learning rate", ">= 0");
        Refused(() => optim.Adadelta(ps, lr: -1), "learning rate", ">= 0");
        Refused(() => optim.RMSprop(ps, lr: -1), "learning rate", ">= 0");
        Refused(() => optim.Adam(ps, lr: -1), "learning rate", ">= 0");
        Refused(() => optim.AdamW(ps, lr: -1), "learning rate", ">= 0");
        Refused(() => optim.Adamax(ps, lr: -1), "learning rate", ">= 0");
        Refused(() => optim.NAdam(ps, lr: -1), "learning rate", ">= 0");
        Refused(() => optim.SGD(ps, lr: double.NaN), "learning rate");
    }

    [Fact]
    public void Betas_outside_zero_to_one_are_refused()
    {
        Tensor[] ps = [_w];
        Refused(() => optim.Adam(ps, betas: (1.0, 0.999)), "index 0", "[0, 1)");
        Refused(() => optim.AdamW(ps, betas: (0.9, -0.1)), "index 1", "[0, 1)");
        Refused(() => optim.Adamax(ps, betas: (-0.5, 0.9)), "index 0", "[0, 1)");
        Refused(() => optim.NAdam(ps, betas: (0.9, 1.5)), "index 1", "[0, 1)");
    }

    [Fact]
    public void Other_out_of_range_hyperparameters_are_refused()
    {
        Tensor[] ps = [_w];
        Refused(() => optim.SGD(ps, lr: 0.1, momentum: -0.9), "momentum", ">= 0");
        Refused(() => optim.SGD(ps, lr: 0.1, weight_decay: -1), "weight_decay", ">= 0");
        Refused(() => optim.SGD(ps, lr: 0.1, nesterov: true), "Nesterov", "momentum > 0");
        Refused(() => optim.SGD(ps, lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true), "zero dampening");
        Refused(() => optim.Adadelta(ps, rho: 1.1), "rho", "[0, 1]");
        Refused(() => optim.Adagrad(ps, lr_decay: -1), "lr_decay", ">= 0");
        Refused(() => optim.Adagrad(ps, initial_accumulator_value: -1), "initial_accumulator_value", ">= 0");
        Refused(() => optim.RMSprop(ps, alpha: -0.5), "alpha", ">= 0");
        Refused(() => optim.RMSprop(ps, eps: -1e-8), "eps", ">= 0");
        Refused(() => optim.NAdam(ps, momentum_decay: -1), "momentum_decay", ">= 0");
    }

    [Fact]
    public void Changing_a_group_to_invalid_options_is_refused_and_keeps_the_old_ones()
    {
        using var opt = optim.Adam([_w], lr: 0.01);
        var group = opt.param_groups[0];
        Refused(() => group.LearningRate = -1, "learning rate", ">= 0");
        Assert.Equal(0.01, group.LearningRate);
        Refused(() => group.Options = new SGD.Options { LearningRate = 0.1 }, "Adam needs Adam.Options", "SGD.Options");
        group.Options = group.Options with { LearningRate = 0.02 };
        Assert.Equal(0.02, group.LearningRate);
    }

    [Fact]
    public void Parameter_lists_and_groups_are_checked()
    {
        Refused(() => optim.SGD([], lr: 0.1), "at least one parameter");
        Refused(() => new SGD([new ParamGroup([_w]), new ParamGroup([_w, _b])], new SGD.Options { LearningRate = 0.1 }),
            "more than one parameter group");
        Refused(() => optim.Adam([_w, _b, _w]), "same parameter twice");
        var shared = new ParamGroup([_b]);
        using var first = new SGD([shared], new SGD.Options { LearningRate = 0.1 });
        Refused(() => new SGD([shared], new SGD.Options { LearningRate = 0.1 }), "already belongs");
    }

    [Fact]
    public void Step_with_the_wrong_number_or_shape_of_gradients_is_refused()
    {
        using var opt = optim.SGD([_w, _b], lr: 0.1);
        using var g = OptimTensors.FromFloats([1f, 1f], [2]);
        Refused(() => opt.step([g]), "2 parameters", "got 1 gradients");
        var ex = Assert.Throws<TorchException>(() => opt.step([g, null]));
        Assert.Contains("gradient has shape [2] but the parameter has shape [3]", ex.Message);
    }

    [Fact]
    public void Loading_a_state_dict_from_a_different_layout_is_refused()
    {
        using var big = OptimTensors.FromFloats([1f, 2f, 3f, 4f], [4]);
        using var source = optim.Adam([big], lr: 0.01);
        using var g = OptimTensors.FromFloats([1f, 1f, 1f, 1f], [4]);
        source.step([g]);
        using var saved = source.state_dict();

        using var sameCountOtherShape = optim.Adam([_w], lr: 0.01);
        Refused(() => sameCountOtherShape.load_state_dict(saved), "exp_avg", "[4]", "[3]");

        using var twoParams = optim.Adam([_w, _b], lr: 0.01);
        Refused(() => twoParams.load_state_dict(saved), "1 parameters", "has 2");

        using var sgd = optim.SGD([big], lr: 0.1);
        Refused(() => sgd.load_state_dict(saved), "SGD needs SGD.Options");
    }

    [Fact]
    public void Scheduler_arguments_are_checked()
    {
        using var opt = optim.SGD([_w], lr: 0.1);
        Refused(() => optim.lr_scheduler.StepLR(opt, step_size: 0), "step_size", ">= 1");
        Refused(() => optim.lr_scheduler.CosineAnnealingLR(opt, T_max: 0), "T_max", ">= 1");
        Refused(() => optim.lr_scheduler.ReduceLROnPlateau(opt, factor: 1.0), "factor", "< 1.0");
        Refused(() => optim.lr_scheduler.ReduceLROnPlateau(opt, mode: "lowest"), "mode", "\"min\" or \"max\"");
        Refused(() => optim.lr_scheduler.ReduceLROnPlateau(opt, threshold_mode: "relative"), "threshold_mode", "\"rel\" or \"abs\"");
        Refused(() => new ReduceLROnPlateau(opt, "min", 0.1, 10, 1e-4, "rel", 0, [0.0, 0.0]), "expected 1 min_lrs", "got 2");
    }

    [Fact]
    public void Clipping_and_penalty_arguments_are_checked()
    {
        Refused(() => nn.utils.clip_grad_norm_([_w], max_norm: -1), "max_norm", ">= 0");
        Refused(() => nn.utils.clip_grad_norm_([_w], max_norm: 1, norm_type: 0), "norm_type", "p > 0");
        Refused(() => nn.utils.clip_grad_value_([_w], clip_value: -0.5), "clip_value", ">= 0");
        Refused(() => Regularization.L1Penalty([_w], -0.01), "lambda", ">= 0");
        Refused(() => Regularization.L2Penalty([_w], double.PositiveInfinity), "lambda", "finite");
        Refused(() => ShardedClipping.NormPart([_w], norm_type: -2), "norm_type", "p > 0");
        Refused(() => ShardedClipping.Coefficient(3.0, max_norm: -1), "max_norm", ">= 0");
    }
}

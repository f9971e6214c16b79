using ClusterTrainer.Torch.Optim;
using ClusterTrainer.Torch.Tests.Golden;
using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.Optim;

/// <summary>How the optimizers behave around gradients, scopes, snapshots, schedulers and penalties.</summary>
public sealed class OptimizerBehaviourTests
{
    [Fact]
    public void Zero_grad_zeroes_in_place_or_drops_the_gradient()
    {
        using var w = OptimTensors.FromFloats([1f, 2f], [2], requiresGrad: true);
        using var g = OptimTensors.FromFloats([3f, 4f], [2]);
        using var opt = optim.SGD([w], lr: 0.1);
        OptimTensors.BackwardDot(w, g);
        opt.zero_grad();
        Assert.Equal([0f, 0f], OptimTensors.GradFloats(w));
        opt.zero_grad(set_to_none: true);
        using var none = w.grad;
        Assert.Null(none);
    }

    [Fact]
    public void A_parameter_without_gradient_is_skipped_and_gets_no_state()
    {
        using var a = OptimTensors.FromFloats([1f, 2f], [2], requiresGrad: true);
        using var b = OptimTensors.FromFloats([5f], [1], requiresGrad: true);
        using var g = OptimTensors.FromFloats([1f, 1f], [2]);
        using var opt = optim.Adam([a, b], lr: 0.1);
        OptimTensors.BackwardDot(a, g);
        opt.step();
        Assert.Equal(1, opt.StateAt(0)!.Step);
        Assert.Null(opt.StateAt(1));
        Assert.Equal([5f], OptimTensors.ToFloats(b));
        Assert.NotEqual([1f, 2f], OptimTensors.ToFloats(a));
    }

    [Fact]
    public void State_created_inside_a_dispose_scope_outlives_the_scope()
    {
        using var w = OptimTensors.FromFloats([1f, 2f, 3f], [3]);
        using var opt = optim.Adam([w], lr: 0.1);
        using (var scope = NewDisposeScope())
        {
            var g = OptimTensors.FromFloats([1f, 1f, 1f], [3]);
            opt.step([g]);
        }
        Assert.False(opt.StateAt(0)!["exp_avg"].IsDisposed);
        using var g2 = OptimTensors.FromFloats([1f, 1f, 1f], [3]);
        opt.step([g2]);
        Assert.Equal(2, opt.StateAt(0)!.Step);
    }

    [Fact]
    public void A_state_dict_is_a_snapshot_that_later_steps_do_not_change()
    {
        using var w = OptimTensors.FromFloats([1f, 2f], [2]);
        using var g = OptimTensors.FromFloats([0.5f, -0.5f], [2]);
        using var opt = optim.SGD([w], lr: 0.1, momentum: 0.9);
        opt.step([g]);
        using var saved = opt.state_dict();
        var before = OptimTensors.ToFloats(saved.State[0]["momentum_buffer"]);
        opt.step([g]);
        Assert.Equal(before, OptimTensors.ToFloats(saved.State[0]["momentum_buffer"]));
        Assert.Equal(1, saved.Steps[0]);
        Assert.Equal(["state.0.momentum_buffer"], saved.NamedTensors().Select(kv => kv.Key));
        Assert.Equal(0.1, saved.ParamGroups[0].Options.LearningRate);
    }

    [Fact]
    public void Loading_a_state_dict_restores_the_group_hyperparameters()
    {
        using var w = OptimTensors.FromFloats([1f], [1]);
        using var source = optim.RMSprop([w], lr: 0.05, momentum: 0.5);
        using var saved = source.state_dict();
        using var target = optim.RMSprop([w], lr: 0.5);
        target.load_state_dict(saved);
        var o = (RMSprop.Options)target.param_groups[0].Options;
        Assert.Equal(0.05, o.LearningRate);
        Assert.Equal(0.5, o.momentum);
    }

    [Fact]
    public void The_scheduler_lr_is_the_one_the_next_step_uses()
    {
        using var w = OptimTensors.FromFloats([0f], [1]);
        using var g = OptimTensors.FromFloats([1f], [1]);
        using var opt = optim.SGD([w], lr: 1.0);
        var sched = optim.lr_scheduler.StepLR(opt, step_size: 1, gamma: 0.5);
        opt.step([g]);   // lr 1
        sched.step();    // lr 0.5
        opt.step([g]);
        Assert.Equal([-1.5f], OptimTensors.ToFloats(w));
        Assert.Equal([0.5], sched.get_last_lr());
        Assert.Equal(1.0, opt.param_groups[0].InitialLearningRate);
    }

    [Fact]
    public void Scheduler_state_round_trips()
    {
        using var w = OptimTensors.FromFloats([0f], [1]);
        using var opt = optim.SGD([w], lr: 0.1);
        var cosine = optim.lr_scheduler.CosineAnnealingLR(opt, T_max: 4);
        cosine.step();
        cosine.step();
        var saved = cosine.state_dict();
        using var opt2 = optim.SGD([w], lr: 0.1);
        var resumed = optim.lr_scheduler.CosineAnnealingLR(opt2, T_max: 4);
        opt2.param_groups[0].LearningRate = opt.param_groups[0].LearningRate;
        resumed.load_state_dict(saved);
        cosine.step();
        resumed.step();
        Assert.Equal(cosine.get_last_lr(), resumed.get_last_lr());
        Assert.Equal(3, resumed.last_epoch);

        var plateau = optim.lr_scheduler.ReduceLROnPlateau(opt, patience: 0);
        plateau.step(1.0);
        plateau.step(2.0);
        var p2 = optim.lr_scheduler.ReduceLROnPlateau(opt2, patience: 0);
        p2.load_state_dict(plateau.state_dict());
        Assert.Equal(1.0, p2.best);
        Assert.Equal(2, p2.last_epoch);
    }

    [Fact]
    public void A_standalone_schedule_resumes_from_its_saved_state_with_its_rates()
    {
        var target = LrTarget.Standalone(0.1);
        var cosine = optim.lr_scheduler.CosineAnnealingLR(target, T_max: 5);
        cosine.step();
        cosine.step();
        var saved = cosine.state_dict();
        cosine.step();

        var resumedTarget = LrTarget.Standalone(0.1);
        var resumed = optim.lr_scheduler.CosineAnnealingLR(resumedTarget, T_max: 5);
        resumed.load_state_dict(saved);
        Assert.Equal(saved.LastLr, [resumedTarget[0]]);
        resumed.step();
        Assert.Equal(cosine.get_last_lr(), resumed.get_last_lr());
        Assert.Null(resumed.optimizer);

        var plateau = optim.lr_scheduler.ReduceLROnPlateau(LrTarget.Standalone(1.0), patience: 0, factor: 0.5);
        plateau.step(1.0);
        plateau.step(1.0);
        Assert.Equal([0.5], plateau.get_last_lr());
        var plateauTarget = LrTarget.Standalone(1.0);
        var p2 = optim.lr_scheduler.ReduceLROnPlateau(plateauTarget, patience: 0, factor: 0.5);
        p2.load_state_dict(plateau.state_dict());
        Assert.Equal(0.5, plateauTarget[0]);
        Assert.Throws<ArgumentException>(() => LrTarget.Standalone(-0.1));
    }

    [Fact]
    public void Clip_grad_norm_without_gradients_returns_zero_and_nonfinite_norms_can_be_refused()
    {
        using var w = OptimTensors.FromFloats([1f, 2f], [2], requiresGrad: true);
        using (var none = nn.utils.clip_grad_norm_([w], 1.0))
            Assert.Equal([0f], OptimTensors.ToFloats(none));
        using var inf = OptimTensors.FromFloats([float.PositiveInfinity, 1f], [2]);
        OptimTensors.BackwardDot(w, inf);
        var ex = Assert.Throws<TorchException>(() => nn.utils.clip_grad_norm_([w], 1.0, error_if_nonfinite: true));
        Assert.Contains("non-finite", ex.Message);
        Assert.Contains("error_if_nonfinite", ex.Message);
    }

    [Fact]
    public void L2_penalty_gradient_equals_sgd_weight_decay()
    {
        float[] init = [0.5f, -1.5f, 2f];
        float[] grad = [0.1f, 0.2f, -0.3f];
        using var a = OptimTensors.FromFloats(init, [3], requiresGrad: true);
        using var b = OptimTensors.FromFloats(init, [3], requiresGrad: true);
        using var g = OptimTensors.FromFloats(grad, [3]);
        using var withDecay = optim.SGD([a], lr: 0.1, weight_decay: 0.01);
        using var withPenalty = optim.SGD([b], lr: 0.1);
        for (int i = 0; i < 3; i++)
        {
            withDecay.zero_grad();
            withPenalty.zero_grad();
            OptimTensors.BackwardDot(a, g);
            OptimTensors.BackwardDot(b, g);
            using (var penalty = Regularization.L2Penalty([b], 0.01)) penalty.backward();
            withDecay.step();
            withPenalty.step();
        }
        OptimTolerance.AssertClose(OptimTensors.ToFloats(a), OptimTensors.ToFloats(b), "weight_decay vs L2Penalty");
    }
}

namespace ClusterTrainer.Torch.Optim;

using static ClusterTrainer.Torch.torch;

/// <summary>
/// Adam — PyTorch 1.13 <c>torch.optim.Adam</c>, bit-identical. Weight decay is L2 (added to the gradient);
/// <see cref="AdamW"/> decouples it.
/// <code>
/// g = maximize ? -g : g;  g += weight_decay * p
/// m = b1 * m + (1 - b1) * g;  v = b2 * v + (1 - b2) * g * g;  amsgrad: vmax = max(vmax, v), use vmax
/// p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
/// </code>
/// </summary>
public class Adam : Optimizer
{
    public sealed record Options : OptimizerOptions
    {
        public (double beta1, double beta2) betas { get; init; } = (0.9, 0.999);
        public double eps { get; init; } = 1e-8;
        public double weight_decay { get; init; }
        public bool amsgrad { get; init; }
        public bool maximize { get; init; }

        public override void Validate()
        {
            base.Validate();
            RequireAtLeastZero(eps, "epsilon value (eps)");
            RequireBetas(betas);
            RequireAtLeastZero(weight_decay, "weight_decay value");
        }
    }

    public Adam(IEnumerable<Tensor> parameters, Options options) : this([new ParamGroup(parameters)], options) { }

    public Adam(IEnumerable<ParamGroup> groups, Options defaults) : base(groups, defaults) { }

    private protected virtual bool Decoupled => false;

    protected override void ValidateOptions(OptimizerOptions options) => Expect<Options>(options, GetType().Name).Validate();

    protected override ParamState CreateState(OptimizerOptions options, Tensor param)
    {
        var state = new ParamState();
        state.Set("exp_avg", OptimInterop.StateLike(param, 0.0));
        state.Set("exp_avg_sq", OptimInterop.StateLike(param, 0.0));
        if (((Options)options).amsgrad) state.Set("max_exp_avg_sq", OptimInterop.StateLike(param, 0.0));
        return state;
    }

    private protected override void Update(OptimizerOptions options, Tensor param, TensorHandle grad, ParamState state)
    {
        var o = (Options)options;
        TensorHandle max = o.amsgrad ? OptimInterop.Handle(OptimInterop.Ensure(state, "max_exp_avg_sq", param)) : TensorHandle.Null;
        OptimInterop.Check(NativeMethods.ct_optim_adam_step(OptimInterop.Handle(param), grad,
            OptimInterop.Handle(state["exp_avg"]), OptimInterop.Handle(state["exp_avg_sq"]), max, state.Step,
            o.LearningRate, o.betas.beta1, o.betas.beta2, o.eps, o.weight_decay, o.amsgrad ? 1 : 0,
            o.maximize ? 1 : 0, Decoupled ? 1 : 0));
    }
}

/// <summary>
/// AdamW — PyTorch 1.13 <c>torch.optim.AdamW</c>, bit-identical: Adam with decoupled weight decay
/// (<c>p *= 1 - lr * weight_decay</c> before the Adam update; default weight_decay 0.01).
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>AdamW options: as Adam's but weight_decay defaults to 0.01.</summary>
    public static Options Defaults => new() { weight_decay = 1e-2 };

    public AdamW(IEnumerable<Tensor> parameters, Options options) : base(parameters, options) { }

    public AdamW(IEnumerable<ParamGroup> groups, Options defaults) : base(groups, defaults) { }

    private protected override bool Decoupled => true;
}

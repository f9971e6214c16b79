namespace ClusterTrainer.Torch.Optim;

using static ClusterTrainer.Torch.torch;

/// <summary>
/// NAdam (Adam with Nesterov momentum) — PyTorch 1.13 <c>torch.optim.NAdam</c>, bit-identical. The running
/// product of the momentum schedule (<c>mu_product</c>) is a 0-dim float32 tensor, as in PyTorch.
/// <code>
/// g += weight_decay * p;  mu_t = b1 * (1 - 0.5 * 0.96^(t * momentum_decay));  mu_product *= mu_t
/// m = b1 * m + (1 - b1) * g;  v = b2 * v + (1 - b2) * g * g;  denom = sqrt(v / (1 - b2^t)) + eps
/// p -= lr * (1 - mu_t) / (1 - mu_product) * g / denom
/// p -= lr * mu_{t+1} / (1 - mu_product * mu_{t+1}) * m / denom
/// </code>
/// </summary>
public sealed class NAdam : Optimizer
{
    public sealed record Options : OptimizerOptions
    {
        public Options() => LearningRate = 2e-3;

        public (double beta1, double beta2) betas { get; init; } = (0.9, 0.999);
        public double eps { get; init; } = 1e-8;
        public double weight_decay { get; init; }
        public double momentum_decay { get; init; } = 4e-3;

        public override void Validate()
        {
            base.Validate();
            RequireAtLeastZero(eps, "epsilon value (eps)");
            RequireBetas(betas);
            RequireAtLeastZero(weight_decay, "weight_decay value");
            RequireAtLeastZero(momentum_decay, "momentum_decay value");
        }
    }

    public NAdam(IEnumerable<Tensor> parameters, Options options) : this([new ParamGroup(parameters)], options) { }

    public NAdam(IEnumerable<ParamGroup> groups, Options defaults) : base(groups, defaults) { }

    protected override void ValidateOptions(OptimizerOptions options) => Expect<Options>(options, nameof(NAdam)).Validate();

    protected override ParamState CreateState(OptimizerOptions options, Tensor param)
    {
        var state = new ParamState();
        state.Set("mu_product", OptimInterop.ScalarState(1.0));
        state.Set("exp_avg", OptimInterop.StateLike(param, 0.0));
        state.Set("exp_avg_sq", OptimInterop.StateLike(param, 0.0));
        return state;
    }

    private protected override void Update(OptimizerOptions options, Tensor param, TensorHandle grad, ParamState state)
    {
        var o = (Options)options;
        OptimInterop.Check(NativeMethods.ct_optim_nadam_step(OptimInterop.Handle(param), grad,
            OptimInterop.Handle(state["exp_avg"]), OptimInterop.Handle(state["exp_avg_sq"]),
            OptimInterop.Handle(state["mu_product"]), state.Step, o.LearningRate, o.betas.beta1, o.betas.beta2, o.eps,
            o.weight_decay, o.momentum_decay));
    }
}

namespace ClusterTrainer.Torch.Optim;

using static ClusterTrainer.Torch.torch;

/// <summary>
/// Adamax (Adam with the infinity norm) — PyTorch 1.13 <c>torch.optim.Adamax</c>, bit-identical:
/// <code>
/// g = maximize ? -g : g;  g += weight_decay * p;  m = b1 * m + (1 - b1) * g
/// u = max(b2 * u, |g| + eps);  p -= lr / (1 - b1^t) * m / u
/// </code>
/// </summary>
public sealed class Adamax : Optimizer
{
    public sealed record Options : OptimizerOptions
    {
        public Options() => LearningRate = 2e-3;

        public (double beta1, double beta2) betas { get; init; } = (0.9, 0.999);
        public double eps { get; init; } = 1e-8;
        public double weight_decay { get; init; }
        public bool maximize { get; init; }

        public override void Validate()
        {
            base.Validate();
            RequireAtLeastZero(eps, "epsilon value (eps)");
            RequireBetas(betas);
            RequireAtLeastZero(weight_decay, "weight_decay value");
        }
    }

    public Adamax(IEnumerable<Tensor> parameters, Options options) : this([new ParamGroup(parameters)], options) { }

    public Adamax(IEnumerable<ParamGroup> groups, Options defaults) : base(groups, defaults) { }

    protected override void ValidateOptions(OptimizerOptions options) => Expect<Options>(options, nameof(Adamax)).Validate();

    protected override ParamState CreateState(OptimizerOptions options, Tensor param)
    {
        var state = new ParamState();
        state.Set("exp_avg", OptimInterop.StateLike(param, 0.0));
        state.Set("exp_inf", OptimInterop.StateLike(param, 0.0));
        return state;
    }

    private protected override void Update(OptimizerOptions options, Tensor param, TensorHandle grad, ParamState state)
    {
        var o = (Options)options;
        OptimInterop.Check(NativeMethods.ct_optim_adamax_step(OptimInterop.Handle(param), grad,
            OptimInterop.Handle(state["exp_avg"]), OptimInterop.Handle(state["exp_inf"]), state.Step, o.LearningRate,
            o.betas.beta1, o.betas.beta2, o.eps, o.weight_decay, o.maximize ? 1 : 0));
    }
}

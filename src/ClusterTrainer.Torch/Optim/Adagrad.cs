namespace ClusterTrainer.Torch.Optim;

using static ClusterTrainer.Torch.torch;

/// <summary>
/// Adagrad — PyTorch 1.13 <c>torch.optim.Adagrad</c>, bit-identical. State (<c>sum</c>, filled with
/// <c>initial_accumulator_value</c>) is created for every parameter up front, as PyTorch does:
/// <code>
/// g = maximize ? -g : g;  g += weight_decay * p;  clr = lr / (1 + (step - 1) * lr_decay)
/// sum += g * g;  p -= clr * g / (sqrt(sum) + eps)
/// </code>
/// </summary>
public sealed class Adagrad : Optimizer
{
    public sealed record Options : OptimizerOptions
    {
        public Options() => LearningRate = 1e-2;

        public double lr_decay { get; init; }
        public double weight_decay { get; init; }
        public double initial_accumulator_value { get; init; }
        public double eps { get; init; } = 1e-10;
        public bool maximize { get; init; }

        public override void Validate()
        {
            base.Validate();
            RequireAtLeastZero(lr_decay, "lr_decay value");
            RequireAtLeastZero(weight_decay, "weight_decay value");
            RequireAtLeastZero(initial_accumulator_value, "initial_accumulator_value");
            RequireAtLeastZero(eps, "epsilon value (eps)");
        }
    }

    public Adagrad(IEnumerable<Tensor> parameters, Options options) : this([new ParamGroup(parameters)], options) { }

    public Adagrad(IEnumerable<ParamGroup> groups, Options defaults) : base(groups, defaults) { }

    protected override bool EagerState => true;

    protected override void ValidateOptions(OptimizerOptions options) => Expect<Options>(options, nameof(Adagrad)).Validate();

    protected override ParamState CreateState(OptimizerOptions options, Tensor param)
    {
        var state = new ParamState();
        state.Set("sum", OptimInterop.StateLike(param, ((Options)options).initial_accumulator_value));
        return state;
    }

    private protected override void Update(OptimizerOptions options, Tensor param, TensorHandle grad, ParamState state)
    {
        var o = (Options)options;
        OptimInterop.Check(NativeMethods.ct_optim_adagrad_step(OptimInterop.Handle(param), grad,
            OptimInterop.Handle(state["sum"]), state.Step, o.LearningRate, o.lr_decay, o.weight_decay, o.eps,
            o.maximize ? 1 : 0));
    }
}

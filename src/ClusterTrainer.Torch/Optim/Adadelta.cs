namespace ClusterTrainer.Torch.Optim;

using static ClusterTrainer.Torch.torch;

/// <summary>
/// Adadelta — PyTorch 1.13 <c>torch.optim.Adadelta</c>, bit-identical:
/// <code>
/// g = maximize ? -g : g;  g += weight_decay * p
/// square_avg = rho * square_avg + (1 - rho) * g * g
/// delta = sqrt(acc_delta + eps) / sqrt(square_avg + eps) * g
/// acc_delta = rho * acc_delta + (1 - rho) * delta * delta;  p -= lr * delta
/// </code>
/// </summary>
public sealed class Adadelta : Optimizer
{
    public sealed record Options : OptimizerOptions
    {
        public Options() => LearningRate = 1.0;

        public double rho { get; init; } = 0.9;
        public double eps { get; init; } = 1e-6;
        public double weight_decay { get; init; }
        public bool maximize { get; init; }

        public override void Validate()
        {
            base.Validate();
            RequireUnitInterval(rho, "rho value", includeOne: true);
            RequireAtLeastZero(eps, "epsilon value (eps)");
            RequireAtLeastZero(weight_decay, "weight_decay value");
        }
    }

    public Adadelta(IEnumerable<Tensor> parameters, Options options) : this([new ParamGroup(parameters)], options) { }

    public Adadelta(IEnumerable<ParamGroup> groups, Options defaults) : base(groups, defaults) { }

    protected override void ValidateOptions(OptimizerOptions options) => Expect<Options>(options, nameof(Adadelta)).Validate();

    protected override ParamState CreateState(OptimizerOptions options, Tensor param)
    {
        var state = new ParamState();
        state.Set("square_avg", OptimInterop.StateLike(param, 0.0));
        state.Set("acc_delta", OptimInterop.StateLike(param, 0.0));
        return state;
    }

    private protected override void Update(OptimizerOptions options, Tensor param, TensorHandle grad, ParamState state)
    {
        var o = (Options)options;
        OptimInterop.Check(NativeMethods.ct_optim_adadelta_step(OptimInterop.Handle(param), grad,
            OptimInterop.Handle(state["square_avg"]), OptimInterop.Handle(state["acc_delta"]), o.LearningRate, o.rho,
            o.eps, o.weight_decay, o.maximize ? 1 : 0));
    }
}

namespace ClusterTrainer.Torch.Optim;

using static ClusterTrainer.Torch.torch;

/// <summary>
/// RMSprop — PyTorch 1.13 <c>torch.optim.RMSprop</c>, bit-identical:
/// <code>
/// g = maximize ? -g : g;  g += weight_decay * p;  square_avg = alpha * square_avg + (1 - alpha) * g * g
/// centered: grad_avg = alpha * grad_avg + (1 - alpha) * g;  avg = sqrt(square_avg - grad_avg^2) + eps
/// else:     avg = sqrt(square_avg) + eps
/// momentum &gt; 0: buf = momentum * buf + g / avg;  p -= lr * buf     else: p -= lr * g / avg
/// </code>
/// </summary>
public sealed class RMSprop : Optimizer
{
    public sealed record Options : OptimizerOptions
    {
        public Options() => LearningRate = 1e-2;

        public double alpha { get; init; } = 0.99;
        public double eps { get; init; } = 1e-8;
        public double weight_decay { get; init; }
        public double momentum { get; init; }
        public bool centered { get; init; }
        public bool maximize { get; init; }

        public override void Validate()
        {
            base.Validate();
            RequireAtLeastZero(eps, "epsilon value (eps)");
            RequireAtLeastZero(momentum, "momentum value");
            RequireAtLeastZero(weight_decay, "weight_decay value");
            RequireAtLeastZero(alpha, "alpha value");
        }
    }

    public RMSprop(IEnumerable<Tensor> parameters, Options options) : this([new ParamGroup(parameters)], options) { }

    public RMSprop(IEnumerable<ParamGroup> groups, Options defaults) : base(groups, defaults) { }

    protected override void ValidateOptions(OptimizerOptions options) => Expect<Options>(options, nameof(RMSprop)).Validate();

    protected override ParamState CreateState(OptimizerOptions options, Tensor param)
    {
        var o = (Options)options;
        var state = new ParamState();
        state.Set("square_avg", OptimInterop.StateLike(param, 0.0));
        if (o.momentum > 0) state.Set("momentum_buffer", OptimInterop.StateLike(param, 0.0));
        if (o.centered) state.Set("grad_avg", OptimInterop.StateLike(param, 0.0));
        return state;
    }

    private protected override void Update(OptimizerOptions options, Tensor param, TensorHandle grad, ParamState state)
    {
        var o = (Options)options;
        TensorHandle gradAvg = o.centered ? OptimInterop.Handle(OptimInterop.Ensure(state, "grad_avg", param)) : TensorHandle.Null;
        TensorHandle buf = o.momentum > 0 ? OptimInterop.Handle(OptimInterop.Ensure(state, "momentum_buffer", param)) : TensorHandle.Null;
        OptimInterop.Check(NativeMethods.ct_optim_rmsprop_step(OptimInterop.Handle(param), grad,
            OptimInterop.Handle(state["square_avg"]), gradAvg, buf, o.LearningRate, o.alpha, o.eps, o.weight_decay,
            o.momentum, o.centered ? 1 : 0, o.maximize ? 1 : 0));
    }
}

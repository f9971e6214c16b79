namespace ClusterTrainer.Torch.Optim;

using static ClusterTrainer.Torch.torch;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum, weight decay and
/// maximize — PyTorch 1.13 <c>torch.optim.SGD</c>, bit-identical (one fused native call per parameter):
/// <code>
/// d = maximize ? -g : g;  d += weight_decay * p
/// buf = first ? d : momentum * buf + (1 - dampening) * d;  d = nesterov ? d + momentum * buf : buf
/// p -= lr * d
/// </code>
/// </summary>
public sealed class SGD : Optimizer
{
    public sealed record Options : OptimizerOptions
    {
        public double momentum { get; init; }
        public double dampening { get; init; }
        public double weight_decay { get; init; }
        public bool nesterov { get; init; }
        public bool maximize { get; init; }

        public override void Validate()
        {
            base.Validate();
            RequireAtLeastZero(momentum, "momentum value");
            RequireAtLeastZero(weight_decay, "weight_decay value");
            if (nesterov && (momentum <= 0 || dampening != 0))
                throw new ArgumentException(
                    "Nesterov momentum requires a momentum > 0 and zero dampening; set momentum (e.g. 0.9) and " +
                    "dampening = 0, or nesterov = false.");
        }
    }

    public SGD(IEnumerable<Tensor> parameters, Options options) : this([new ParamGroup(parameters)], options) { }

    public SGD(IEnumerable<ParamGroup> groups, Options defaults) : base(groups, defaults) { }

    protected override void ValidateOptions(OptimizerOptions options) => Expect<Options>(options, nameof(SGD)).Validate();

    protected override ParamState CreateState(OptimizerOptions options, Tensor param) => new();

    private protected override void Update(OptimizerOptions options, Tensor param, TensorHandle grad, ParamState state)
    {
        var o = (Options)options;
        TensorHandle buf = TensorHandle.Null;
        bool fresh = false;
        if (o.momentum != 0)
        {
            var existing = state.Find("momentum_buffer");
            fresh = existing is null;
            if (fresh) state.Set("momentum_buffer", existing = OptimInterop.StateLike(param, 0.0));
            buf = OptimInterop.Handle(existing!);
        }
        OptimInterop.Check(NativeMethods.ct_optim_sgd_step(OptimInterop.Handle(param), grad, buf, fresh ? 1 : 0,
            o.LearningRate, o.momentum, o.dampening, o.weight_decay, o.nesterov ? 1 : 0, o.maximize ? 1 : 0));
    }
}

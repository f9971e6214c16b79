using ClusterTrainer.Torch;
using ClusterTrainer.Torch.Optim;
using ClusterTrainer.Training.Runs;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Distributed.ParameterServer;

/// <summary>
/// Builds the torch optimizer a shard applies to its slice from the run spec's <see cref="OptimizerSpec"/>.
/// Every supported optimizer is element-wise, so one optimizer over a slice gives the same numbers as
/// <c>torch.optim</c> over the model's separate parameters.
/// </summary>
public static class ShardOptimizer
{
    public static Optimizer Create(OptimizerSpec spec, IEnumerable<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var ps = parameters.ToList();
        var betas = (spec.Beta1, spec.Beta2);
        return spec.Name switch
        {
            "sgd" => optim.SGD(ps, spec.Lr, spec.Momentum, spec.Dampening, spec.WeightDecay, spec.Nesterov),
            "adagrad" => optim.Adagrad(ps, spec.Lr, spec.LrDecay, spec.WeightDecay, eps: spec.Eps),
            "adadelta" => optim.Adadelta(ps, spec.Lr, spec.Rho, spec.Eps, spec.WeightDecay),
            "rmsprop" => optim.RMSprop(ps, spec.Lr, spec.Alpha, spec.Eps, spec.WeightDecay, spec.Momentum, spec.Centered),
            "adam" => optim.Adam(ps, spec.Lr, betas, spec.Eps, spec.WeightDecay, spec.Amsgrad),
            "adamw" => optim.AdamW(ps, spec.Lr, betas, spec.Eps, spec.WeightDecay, spec.Amsgrad),
            "adamax" => optim.Adamax(ps, spec.Lr, betas, spec.Eps, spec.WeightDecay),
            "nadam" => optim.NAdam(ps, spec.Lr, betas, spec.Eps, spec.WeightDecay, spec.MomentumDecay),
            _ => throw new ArgumentException(
                $"Unknown optimizer '{spec.Name}'; use one of: {string.Join(", ", RunSpecParser.Optimizers)}.", nameof(spec)),
        };
    }

    /// <summary>An <see cref="OptimizerSpec"/> with PyTorch's defaults for <paramref name="name"/>, for tests and tools.</summary>
    public static OptimizerSpec Spec(string name, double lr, double momentum = 0, double weightDecay = 0) =>
        OptimizerSpec.Defaults(name) with { Lr = lr, Momentum = momentum, WeightDecay = weightDecay };
}

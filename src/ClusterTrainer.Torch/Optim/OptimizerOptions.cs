namespace ClusterTrainer.Torch.Optim;

/// <summary>
/// Hyperparameters shared by every optimizer. Each optimizer derives a sealed record with its own
/// options (PyTorch names and defaults). A parameter group holds one of these; change a hyperparameter
/// of a group with a <c>with</c> expression: <c>group.Options = group.Options with { LearningRate = 0.01 }</c>.
/// </summary>
public abstract record OptimizerOptions
{
    /// <summary>Learning rate, <c>lr</c> in PyTorch. Must be &gt;= 0.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Checks every hyperparameter; throws <see cref="ArgumentException"/> naming the allowed range.</summary>
    public virtual void Validate()
    {
        RequireAtLeastZero(LearningRate, "learning rate (lr)");
    }

    protected static void RequireAtLeastZero(double value, string name)
    {
        if (!(value >= 0.0))
            throw new ArgumentException($"Invalid {name}: {value}. It must be >= 0.");
    }

    protected static void RequireUnitInterval(double value, string name, bool includeOne)
    {
        bool ok = includeOne ? value is >= 0.0 and <= 1.0 : value is >= 0.0 and < 1.0;
        if (!ok)
            throw new ArgumentException(
                $"Invalid {name}: {value}. It must lie in {(includeOne ? "[0, 1]" : "[0, 1)")}.");
    }

    protected static void RequireBetas((double beta1, double beta2) betas)
    {
        RequireUnitInterval(betas.beta1, "beta parameter at index 0 (betas.beta1)", includeOne: false);
        RequireUnitInterval(betas.beta2, "beta parameter at index 1 (betas.beta2)", includeOne: false);
    }
}

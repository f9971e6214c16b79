using static ClusterTrainer.Torch.torch;
using F = ClusterTrainer.Torch.torch.nn.functional;

namespace ClusterTrainer.Torch.Modules;

public sealed class Sigmoid() : nn.Module<Tensor, Tensor>(nameof(Sigmoid))
{
    public override Tensor forward(Tensor input) => F.sigmoid(input);
}

public sealed class Tanh() : nn.Module<Tensor, Tensor>(nameof(Tanh))
{
    public override Tensor forward(Tensor input) => F.tanh(input);
}

public sealed class ReLU() : nn.Module<Tensor, Tensor>(nameof(ReLU))
{
    public override Tensor forward(Tensor input) => F.relu(input);
}

public sealed class LeakyReLU(double negative_slope = 0.01) : nn.Module<Tensor, Tensor>(nameof(LeakyReLU))
{
    public double negative_slope { get; } = negative_slope;

    public override Tensor forward(Tensor input) => F.leaky_relu(input, negative_slope);
}

public sealed class ELU(double alpha = 1.0) : nn.Module<Tensor, Tensor>(nameof(ELU))
{
    public double alpha { get; } = alpha;

    public override Tensor forward(Tensor input) => F.elu(input, alpha);
}

public sealed class Softsign() : nn.Module<Tensor, Tensor>(nameof(Softsign))
{
    public override Tensor forward(Tensor input) => F.softsign(input);
}

public sealed class Softplus(double beta = 1.0, double threshold = 20.0) : nn.Module<Tensor, Tensor>(nameof(Softplus))
{
    public double beta { get; } = beta;
    public double threshold { get; } = threshold;

    public override Tensor forward(Tensor input) => F.softplus(input, beta, threshold);
}

public sealed class Softmax(long dim) : nn.Module<Tensor, Tensor>(nameof(Softmax))
{
    public long dim { get; } = dim;

    public override Tensor forward(Tensor input) => F.softmax(input, dim);
}

public sealed class LogSoftmax(long dim) : nn.Module<Tensor, Tensor>(nameof(LogSoftmax))
{
    public long dim { get; } = dim;

    public override Tensor forward(Tensor input) => F.log_softmax(input, dim);
}

/// <summary>GELU; approximate "none" (exact) or "tanh".</summary>
public sealed class GELU : nn.Module<Tensor, Tensor>
{
    public string approximate { get; }

    public GELU(string approximate = "none") : base(nameof(GELU))
    {
        if (approximate is not ("none" or "tanh"))
            throw new ArgumentException($"GELU: approximate must be \"none\" or \"tanh\", got \"{approximate}\".", nameof(approximate));
        this.approximate = approximate;
    }

    public override Tensor forward(Tensor input) => F.gelu(input, approximate);
}

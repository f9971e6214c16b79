using static ClusterTrainer.Torch.torch;
using F = ClusterTrainer.Torch.torch.nn.functional;
using Reduction = ClusterTrainer.Torch.torch.nn.Reduction;

namespace ClusterTrainer.Torch.Modules;

/// <summary>Base of the loss modules: forward(input, target) with a reduction. Class weights and pos_weight are
/// registered as buffers (as PyTorch does), so they appear in state_dict and move with to(device); the module
/// takes ownership of them.</summary>
public abstract class Loss : nn.Module<Tensor, Tensor, Tensor>
{
    public Reduction reduction { get; }

    protected Loss(string name, Reduction reduction) : base(name)
    {
        if (reduction == Reduction.BatchMean && this is not KLDivLoss)
            throw new ArgumentException($"{name}: Reduction.BatchMean is only valid for KLDivLoss; use None, Mean or Sum.", nameof(reduction));
        this.reduction = reduction;
    }
}

public sealed class MSELoss(Reduction reduction = Reduction.Mean) : Loss(nameof(MSELoss), reduction)
{
    public override Tensor forward(Tensor input, Tensor target) => F.mse_loss(input, target, reduction);
}

public sealed class L1Loss(Reduction reduction = Reduction.Mean) : Loss(nameof(L1Loss), reduction)
{
    public override Tensor forward(Tensor input, Tensor target) => F.l1_loss(input, target, reduction);
}

public sealed class HuberLoss(Reduction reduction = Reduction.Mean, double delta = 1.0) : Loss(nameof(HuberLoss), reduction)
{
    public double delta { get; } = delta;

    public override Tensor forward(Tensor input, Tensor target) => F.huber_loss(input, target, reduction, delta);
}

public sealed class SmoothL1Loss(Reduction reduction = Reduction.Mean, double beta = 1.0) : Loss(nameof(SmoothL1Loss), reduction)
{
    public double beta { get; } = beta;

    public override Tensor forward(Tensor input, Tensor target) => F.smooth_l1_loss(input, target, reduction, beta);
}

public sealed class CrossEntropyLoss : Loss
{
    public Tensor? weight { get; }
    public long ignore_index { get; }
    public double label_smoothing { get; }

    public CrossEntropyLoss(Tensor? weight = null, long ignore_index = -100, Reduction reduction = Reduction.Mean, double label_smoothing = 0.0)
        : base(nameof(CrossEntropyLoss), reduction)
    {
        this.weight = weight;
        this.ignore_index = ignore_index;
        this.label_smoothing = label_smoothing;
        register_buffer("weight", weight);
    }

    public override Tensor forward(Tensor input, Tensor target) => F.cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing);
}

public sealed class NLLLoss : Loss
{
    public Tensor? weight { get; }
    public long ignore_index { get; }

    public NLLLoss(Tensor? weight = null, long ignore_index = -100, Reduction reduction = Reduction.Mean) : base(nameof(NLLLoss), reduction)
    {
        this.weight = weight;
        this.ignore_index = ignore_index;
        register_buffer("weight", weight);
    }

    public override Tensor forward(Tensor input, Tensor target) => F.nll_loss(input, target, weight, ignore_index, reduction);
}

public sealed class BCELoss : Loss
{
    public Tensor? weight { get; }

    public BCELoss(Tensor? weight = null, Reduction reduction = Reduction.Mean) : base(nameof(BCELoss), reduction)
    {
        this.weight = weight;
        register_buffer("weight", weight);
    }

    public override Tensor forward(Tensor input, Tensor target) => F.binary_cross_entropy(input, target, weight, reduction);
}

public sealed class BCEWithLogitsLoss : Loss
{
    public Tensor? weight { get; }
    public Tensor? pos_weight { get; }

    public BCEWithLogitsLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean, Tensor? pos_weight = null) : base(nameof(BCEWithLogitsLoss), reduction)
    {
        this.weight = weight;
        this.pos_weight = pos_weight;
        register_buffer("weight", weight);
        register_buffer("pos_weight", pos_weight);
    }

    public override Tensor forward(Tensor input, Tensor target) => F.binary_cross_entropy_with_logits(input, target, weight, reduction, pos_weight);
}

public sealed class KLDivLoss(Reduction reduction = Reduction.Mean, bool log_target = false) : Loss(nameof(KLDivLoss), reduction)
{
    public bool log_target { get; } = log_target;

    public override Tensor forward(Tensor input, Tensor target) => F.kl_div(input, target, reduction, log_target);
}

public sealed class HingeEmbeddingLoss(double margin = 1.0, Reduction reduction = Reduction.Mean) : Loss(nameof(HingeEmbeddingLoss), reduction)
{
    public double margin { get; } = margin;

    public override Tensor forward(Tensor input, Tensor target) => F.hinge_embedding_loss(input, target, margin, reduction);
}

public sealed class MultiMarginLoss : Loss
{
    public long p { get; }
    public double margin { get; }
    public Tensor? weight { get; }

    public MultiMarginLoss(long p = 1, double margin = 1.0, Tensor? weight = null, Reduction reduction = Reduction.Mean) : base(nameof(MultiMarginLoss), reduction)
    {
        if (p != 1 && p != 2) throw new ArgumentOutOfRangeException(nameof(p), p, "MultiMarginLoss: only p == 1 and p == 2 are supported.");
        this.p = p;
        this.margin = margin;
        this.weight = weight;
        register_buffer("weight", weight);
    }

    public override Tensor forward(Tensor input, Tensor target) => F.multi_margin_loss(input, target, p, margin, weight, reduction);
}

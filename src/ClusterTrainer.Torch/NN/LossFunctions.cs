using static ClusterTrainer.Torch.NNInterop;
using Kind = ClusterTrainer.Torch.NativeMethods.LossKind;

namespace ClusterTrainer.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>How a loss reduces its per-element values. BatchMean is KLDivLoss's "batchmean" (sum / batch size)
        /// and is refused by every other loss.</summary>
        public enum Reduction { None = 0, Mean = 1, Sum = 2, BatchMean = 3 }

        public static partial class functional
        {
            public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
                => Loss(Kind.Mse, input, target, null, null, reduction);

            public static Tensor l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
                => Loss(Kind.L1, input, target, null, null, reduction);

            public static Tensor huber_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double delta = 1.0)
            {
                if (delta <= 0) throw new ArgumentOutOfRangeException(nameof(delta), delta, "huber_loss: delta must be positive.");
                return Loss(Kind.Huber, input, target, null, null, reduction, delta);
            }

            public static Tensor smooth_l1_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, double beta = 1.0)
            {
                if (beta < 0) throw new ArgumentOutOfRangeException(nameof(beta), beta, "smooth_l1_loss: beta must be non-negative.");
                return Loss(Kind.SmoothL1, input, target, null, null, reduction, beta);
            }

            /// <summary>Cross entropy of logits against class indices (int64) or class probabilities (float),
            /// with optional per-class weights, ignore_index and label smoothing.</summary>
            public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100,
                Reduction reduction = Reduction.Mean, double label_smoothing = 0.0)
            {
                if (label_smoothing < 0 || label_smoothing > 1)
                    throw new ArgumentOutOfRangeException(nameof(label_smoothing), label_smoothing, "cross_entropy: label_smoothing must be in [0, 1].");
                return Loss(Kind.CrossEntropy, input, target, weight, null, reduction, label_smoothing, ignore_index);
            }

            public static Tensor nll_loss(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100, Reduction reduction = Reduction.Mean)
                => Loss(Kind.Nll, input, target, weight, null, reduction, 0, ignore_index);

            public static Tensor binary_cross_entropy(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean)
            {
                if (!input.shape.SequenceEqual(target.shape))
                    throw new ArgumentException($"binary_cross_entropy: target shape [{string.Join(", ", target.shape)}] must equal input shape [{string.Join(", ", input.shape)}].", nameof(target));
                return Loss(Kind.Bce, input, target, weight, null, reduction);
            }

            public static Tensor binary_cross_entropy_with_logits(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean,
                Tensor? pos_weight = null)
            {
                if (!input.shape.SequenceEqual(target.shape))
                    throw new ArgumentException($"binary_cross_entropy_with_logits: target shape [{string.Join(", ", target.shape)}] must equal input shape [{string.Join(", ", input.shape)}].", nameof(target));
                return Loss(Kind.BceLogits, input, target, weight, pos_weight, reduction);
            }

            /// <summary>KL divergence with input as log-probabilities; target as probabilities, or log-probabilities
            /// with log_target. Use Reduction.BatchMean for the mathematically correct mean.</summary>
            public static Tensor kl_div(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, bool log_target = false)
            {
                if (reduction != Reduction.BatchMean) return Loss(Kind.KlDiv, input, target, null, null, reduction, 0, log_target ? 1 : 0);
                var sum = Loss(Kind.KlDiv, input, target, null, null, Reduction.Sum, 0, log_target ? 1 : 0);
                if (input.dim() == 0) return sum;
                using (sum) return sum / (double)input.shape[0];
            }

            public static Tensor hinge_embedding_loss(Tensor input, Tensor target, double margin = 1.0, Reduction reduction = Reduction.Mean)
                => Loss(Kind.HingeEmbedding, input, target, null, null, reduction, margin);

            public static Tensor multi_margin_loss(Tensor input, Tensor target, long p = 1, double margin = 1.0, Tensor? weight = null,
                Reduction reduction = Reduction.Mean)
            {
                if (p != 1 && p != 2) throw new ArgumentOutOfRangeException(nameof(p), p, "multi_margin_loss: only p == 1 and p == 2 are supported.");
                return Loss(Kind.MultiMargin, input, target, weight, null, reduction, margin, p);
            }

            private static Tensor Loss(Kind kind, Tensor input, Tensor target, Tensor? weight, Tensor? extra, Reduction reduction, double a = 0, long i = 0)
            {
                if (reduction == Reduction.BatchMean)
                    throw new ArgumentException($"Reduction.BatchMean is only valid for kl_div; use None, Mean or Sum for {kind}.", nameof(reduction));
                var r = W(NativeMethods.ct_nn_loss((int)kind, H(input), H(target), H(weight), H(extra), (long)reduction, a, i));
                GC.KeepAlive(input); GC.KeepAlive(target); GC.KeepAlive(weight); GC.KeepAlive(extra);
                return r;
            }
        }
    }
}

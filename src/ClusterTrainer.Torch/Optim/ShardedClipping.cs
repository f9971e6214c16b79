namespace ClusterTrainer.Torch.Optim;

using static ClusterTrainer.Torch.torch;

/// <summary>
/// Gradient clipping by total norm when the gradients are split over several owners (parameter-server
/// shards, each holding a slice of the flat gradient), giving what <c>clip_grad_norm_</c> gives on the whole:
/// <code>
///   every shard:   part_i = NormPart(its gradient slices, p)          (sum |g|^p, or max |g| for p = inf)
///   coordinator:   total  = TotalNorm([part_1 .. part_n], p);  coef = Coefficient(total, max_norm)
///   every shard:   Scale_(its gradient slices, coef)
/// </code>
/// Parts are summed in float64, so the total may differ from the single-process float32 result in the last
/// bits (within 1e-5 relative; see the golden test).
/// </summary>
public static class ShardedClipping
{
    /// <summary>This owner's share of the total norm of <paramref name="grads"/>.</summary>
    public static unsafe double NormPart(IReadOnlyList<Tensor> grads, double norm_type = 2.0)
    {
        ArgumentNullException.ThrowIfNull(grads);
        CheckNormType(norm_type);
        var handles = OptimInterop.RawHandles(grads);
        int rc;
        double part;
        fixed (IntPtr* p = handles) rc = NativeMethods.ct_optim_grad_norm_part(p, handles.Length, norm_type, out part);
        GC.KeepAlive(grads);
        OptimInterop.Check(rc);
        return part;
    }

    /// <summary>The total norm from every owner's <see cref="NormPart"/>.</summary>
    public static double TotalNorm(IEnumerable<double> parts, double norm_type = 2.0)
    {
        ArgumentNullException.ThrowIfNull(parts);
        CheckNormType(norm_type);
        if (double.IsPositiveInfinity(norm_type)) return parts.DefaultIfEmpty(0).Max();
        return Math.Pow(parts.Sum(), 1.0 / norm_type);
    }

    /// <summary>PyTorch's clip coefficient: <c>min(1, max_norm / (total_norm + 1e-6))</c>.</summary>
    public static double Coefficient(double total_norm, double max_norm)
    {
        if (!(max_norm >= 0)) throw new ArgumentException($"Invalid max_norm: {max_norm}. It must be >= 0.", nameof(max_norm));
        return Math.Min(1.0, max_norm / (total_norm + 1e-6));
    }

    /// <summary>Multiplies every gradient in place by <paramref name="coefficient"/>.</summary>
    public static unsafe void Scale_(IReadOnlyList<Tensor> grads, double coefficient)
    {
        ArgumentNullException.ThrowIfNull(grads);
        var handles = OptimInterop.RawHandles(grads);
        int rc;
        fixed (IntPtr* p = handles) rc = NativeMethods.ct_optim_scale_grads(p, handles.Length, coefficient);
        GC.KeepAlive(grads);
        OptimInterop.Check(rc);
    }

    private static void CheckNormType(double norm_type)
    {
        if (double.IsNaN(norm_type) || norm_type <= 0)
            throw new ArgumentException(
                $"Invalid norm_type: {norm_type}. Use a p > 0 (2 for the Euclidean norm) or PositiveInfinity.",
                nameof(norm_type));
    }
}

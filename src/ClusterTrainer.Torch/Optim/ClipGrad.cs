namespace ClusterTrainer.Torch;

using ClusterTrainer.Torch.Optim;

public static partial class torch
{
    public static partial class nn
    {
        public static partial class utils
        {
            /// <summary>
            /// Scales the gradients of <paramref name="parameters"/> in place so that their total norm (as if all
            /// were one vector) is at most <paramref name="max_norm"/>; parameters without a gradient are ignored.
            /// Returns the total norm before clipping as a 0-dim tensor (0 when no parameter has a gradient).
            /// Same arithmetic as PyTorch 1.13: coefficient <c>min(1, max_norm / (total + 1e-6))</c>.
            /// </summary>
            /// <param name="parameters">The parameters whose <c>.grad</c> is clipped.</param>
            /// <param name="max_norm">The largest total norm allowed after clipping (&gt;= 0).</param>
            /// <param name="norm_type">p of the p-norm; <see cref="double.PositiveInfinity"/> for the max norm.</param>
            /// <param name="error_if_nonfinite">Throw instead of scaling when the total norm is NaN or infinite.</param>
            public static unsafe Tensor clip_grad_norm_(IEnumerable<Tensor> parameters, double max_norm,
                double norm_type = 2.0, bool error_if_nonfinite = false)
            {
                ArgumentNullException.ThrowIfNull(parameters);
                if (!(max_norm >= 0))
                    throw new ArgumentException($"Invalid max_norm: {max_norm}. It must be >= 0.", nameof(max_norm));
                if (double.IsNaN(norm_type) || norm_type <= 0)
                    throw new ArgumentException(
                        $"Invalid norm_type: {norm_type}. Use a p > 0 (2 for the Euclidean norm) or PositiveInfinity.",
                        nameof(norm_type));
                var list = parameters.ToArray();
                var handles = OptimInterop.RawHandles(list);
                IntPtr total;
                fixed (IntPtr* p = handles)
                    total = NativeMethods.ct_optim_clip_grad_norm(p, handles.Length, max_norm, norm_type,
                        error_if_nonfinite ? 1 : 0);
                GC.KeepAlive(list);
                return OptimInterop.Wrap(total);
            }

            /// <summary>Clamps every existing gradient of <paramref name="parameters"/> into [-clip_value, clip_value] in place.</summary>
            public static unsafe void clip_grad_value_(IEnumerable<Tensor> parameters, double clip_value)
            {
                ArgumentNullException.ThrowIfNull(parameters);
                if (!(clip_value >= 0))
                    throw new ArgumentException($"Invalid clip_value: {clip_value}. It must be >= 0.", nameof(clip_value));
                var list = parameters.ToArray();
                var handles = OptimInterop.RawHandles(list);
                int rc;
                fixed (IntPtr* p = handles) rc = NativeMethods.ct_optim_clip_grad_value(p, handles.Length, clip_value);
                GC.KeepAlive(list);
                OptimInterop.Check(rc);
            }
        }
    }
}

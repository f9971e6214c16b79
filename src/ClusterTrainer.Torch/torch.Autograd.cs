using static ClusterTrainer.Torch.NativeMethods;

namespace ClusterTrainer.Torch;

public static partial class torch
{
    /// <summary>Functional autograd (PyTorch's torch.autograd).</summary>
    public static class autograd
    {
        /// <summary>
        /// Gradients of <paramref name="output"/> w.r.t. each of <paramref name="inputs"/>, without touching their
        /// <c>.grad</c>. An input the output does not depend on gives null when <paramref name="allow_unused"/>,
        /// else an error. <paramref name="create_graph"/> records the gradient computation (for higher-order grads).
        /// </summary>
        public static unsafe Tensor?[] grad(Tensor output, IReadOnlyList<Tensor> inputs, Tensor? grad_output = null,
            bool? retain_graph = null, bool create_graph = false, bool allow_unused = false)
        {
            ArgumentNullException.ThrowIfNull(inputs);
            var n = inputs.Count;
            var ins = new IntPtr[n];
            var outs = new IntPtr[n];
            for (var k = 0; k < n; k++) ins[k] = inputs[k].DangerousHandle;
            fixed (IntPtr* i = ins)
            fixed (IntPtr* o = outs)
                Check(ct_autograd_grad(output.H, grad_output is null ? TensorHandle.Null : grad_output.H, i, n, o,
                    retain_graph is null ? -1 : retain_graph.Value ? 1 : 0, create_graph ? 1 : 0, allow_unused ? 1 : 0));
            GC.KeepAlive(inputs);
            var result = new Tensor?[n];
            for (var k = 0; k < n; k++) result[k] = outs[k] == IntPtr.Zero ? null : new Tensor(outs[k]);
            return result;
        }
    }
}

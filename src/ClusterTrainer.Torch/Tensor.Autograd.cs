using static ClusterTrainer.Torch.NativeMethods;

namespace ClusterTrainer.Torch;

public static partial class torch
{
    public sealed partial class Tensor
    {
        /// <summary>Whether autograd records operations on this tensor. Setting it is allowed on leaves only.</summary>
        public bool requires_grad
        {
            get => Check(ct_requires_grad(H)) == 1;
            set => Check(ct_set_requires_grad(H, value ? 1 : 0));
        }

        public Tensor requires_grad_(bool requires = true) { requires_grad = requires; return this; }

        /// <summary>True for tensors created by the user (not the result of a recorded op).</summary>
        public bool is_leaf => Check(ct_is_leaf(H)) == 1;

        /// <summary>
        /// The accumulated gradient, or null when none was computed. The getter returns a new Tensor object
        /// for the same native gradient (dispose it, or let a scope do it; the gradient itself stays).
        /// The setter stores the given tensor as is, not a copy: a view into a flat buffer stays a view, and
        /// later backward passes accumulate into that buffer. Null clears the gradient.
        /// </summary>
        public Tensor? grad
        {
            get
            {
                Check(ct_grad(H, out var g));
                return g == IntPtr.Zero ? null : new Tensor(g);
            }
            set => Check(ct_set_grad(H, value is null ? TensorHandle.Null : value.H));
        }

        /// <summary>
        /// Computes gradients of this tensor w.r.t. every leaf that requires grad, accumulating into their
        /// <see cref="grad"/>. <paramref name="gradient"/> is required unless this tensor has one element.
        /// </summary>
        public void backward(Tensor? gradient = null, bool? retain_graph = null, bool create_graph = false) =>
            Check(ct_backward(H, gradient is null ? TensorHandle.Null : gradient.H,
                retain_graph is null ? -1 : retain_graph.Value ? 1 : 0, create_graph ? 1 : 0));

        /// <summary>A tensor sharing this one's data but cut from the autograd graph.</summary>
        public Tensor detach() => new(ct_detach(H));

        public Tensor detach_() { Check(ct_detach_(H)); return this; }

        /// <summary>Keeps the gradient of a non-leaf tensor after backward.</summary>
        public Tensor retain_grad() { Check(ct_retain_grad(H)); return this; }
    }
}

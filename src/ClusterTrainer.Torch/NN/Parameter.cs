using static ClusterTrainer.Torch.NNInterop;

namespace ClusterTrainer.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// nn.Parameter: here a parameter is a plain <see cref="Tensor"/> (not a subclass; Tensor is sealed) that is
        /// a leaf of the autograd graph, shares <paramref name="data"/>'s storage and has requires_grad set.
        /// Modules tell parameters from buffers by registration (<see cref="Module.register_parameter"/>), so
        /// optimizers simply take <c>IEnumerable&lt;Tensor&gt;</c> from <see cref="Module.parameters"/>.
        /// </summary>
        public static Tensor Parameter(Tensor data, bool requires_grad = true)
        {
            var p = W(NativeMethods.ct_nn_parameter(H(data), requires_grad ? 1 : 0));
            GC.KeepAlive(data);
            return p;
        }
    }
}

using static ClusterTrainer.Torch.NNInterop;
using Act = ClusterTrainer.Torch.NativeMethods.Activation;

namespace ClusterTrainer.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>torch.nn.functional: the stateless ops behind the layers, each one ATen call.</summary>
        public static unsafe partial class functional
        {
            public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null)
            {
                var r = W(NativeMethods.ct_nn_linear(H(input), H(weight), H(bias)));
                GC.KeepAlive(input); GC.KeepAlive(weight); GC.KeepAlive(bias);
                return r;
            }

            public static Tensor conv1d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long dilation = 1, long groups = 1)
                => conv(1, input, weight, bias, [stride], [padding], [dilation], groups);

            public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias = null, long[]? stride = null, long[]? padding = null, long[]? dilation = null, long groups = 1)
                => conv(2, input, weight, bias, stride ?? [1, 1], padding ?? [0, 0], dilation ?? [1, 1], groups);

            public static Tensor conv3d(Tensor input, Tensor weight, Tensor? bias = null, long[]? stride = null, long[]? padding = null, long[]? dilation = null, long groups = 1)
                => conv(3, input, weight, bias, stride ?? [1, 1, 1], padding ?? [0, 0, 0], dilation ?? [1, 1, 1], groups);

            /// <summary>Convolution with PyTorch's string padding: "valid" (none) or "same" (output size = input size; stride 1).</summary>
            internal static Tensor conv(int dims, Tensor input, Tensor weight, Tensor? bias, long[] stride, string padding, long[] dilation, long groups)
            {
                CheckLength(dims, stride, nameof(stride)); CheckLength(dims, dilation, nameof(dilation));
                int mode = PaddingMode(padding);
                if (mode == 1 && stride.Any(s => s != 1))
                    throw new ArgumentException($"padding=\"same\" needs stride 1 in every dim, got [{string.Join(", ", stride)}]; use numeric padding with strides.", nameof(stride));
                fixed (long* s = stride, d = dilation)
                {
                    var r = W(NativeMethods.ct_nn_conv_padmode(H(input), H(weight), H(bias), dims, s, mode, d, groups));
                    GC.KeepAlive(input); GC.KeepAlive(weight); GC.KeepAlive(bias);
                    return r;
                }
            }

            internal static int PaddingMode(string padding) => padding switch
            {
                "valid" => 0,
                "same" => 1,
                _ => throw new ArgumentException($"padding must be \"valid\", \"same\" or numbers, got \"{padding}\".", nameof(padding)),
            };

            public static Tensor conv1d(Tensor input, Tensor weight, Tensor? bias, long stride, string padding, long dilation = 1, long groups = 1)
                => conv(1, input, weight, bias, [stride], padding, [dilation], groups);

            public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias, long[]? stride, string padding, long[]? dilation = null, long groups = 1)
                => conv(2, input, weight, bias, stride ?? [1, 1], padding, dilation ?? [1, 1], groups);

            internal static Tensor conv(int dims, Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] dilation, long groups)
            {
                CheckLength(dims, stride, nameof(stride)); CheckLength(dims, padding, nameof(padding)); CheckLength(dims, dilation, nameof(dilation));
                fixed (long* s = stride, p = padding, d = dilation)
                {
                    var r = W(NativeMethods.ct_nn_conv(H(input), H(weight), H(bias), dims, s, p, d, groups));
                    GC.KeepAlive(input); GC.KeepAlive(weight); GC.KeepAlive(bias);
                    return r;
                }
            }

            public static Tensor max_pool1d(Tensor input, long kernel_size, long? stride = null, long padding = 0, long dilation = 1, bool ceil_mode = false)
                => max_pool(1, input, [kernel_size], [stride ?? kernel_size], [padding], [dilation], ceil_mode);

            public static Tensor max_pool2d(Tensor input, long[] kernel_size, long[]? stride = null, long[]? padding = null, long[]? dilation = null, bool ceil_mode = false)
                => max_pool(2, input, kernel_size, stride ?? kernel_size, padding ?? [0, 0], dilation ?? [1, 1], ceil_mode);

            internal static Tensor max_pool(int dims, Tensor input, long[] kernel, long[] stride, long[] padding, long[] dilation, bool ceil)
            {
                CheckLength(dims, kernel, "kernel_size"); CheckLength(dims, stride, nameof(stride)); CheckLength(dims, padding, nameof(padding)); CheckLength(dims, dilation, nameof(dilation));
                fixed (long* k = kernel, s = stride, p = padding, d = dilation)
                {
                    var r = W(NativeMethods.ct_nn_max_pool(H(input), dims, k, s, p, d, ceil ? 1 : 0));
                    GC.KeepAlive(input);
                    return r;
                }
            }

            public static Tensor avg_pool1d(Tensor input, long kernel_size, long? stride = null, long padding = 0, bool ceil_mode = false, bool count_include_pad = true)
                => avg_pool(1, input, [kernel_size], [stride ?? kernel_size], [padding], ceil_mode, count_include_pad);

            public static Tensor avg_pool2d(Tensor input, long[] kernel_size, long[]? stride = null, long[]? padding = null, bool ceil_mode = false, bool count_include_pad = true)
                => avg_pool(2, input, kernel_size, stride ?? kernel_size, padding ?? [0, 0], ceil_mode, count_include_pad);

            internal static Tensor avg_pool(int dims, Tensor input, long[] kernel, long[] stride, long[] padding, bool ceil, bool countIncludePad)
            {
                CheckLength(dims, kernel, "kernel_size"); CheckLength(dims, stride, nameof(stride)); CheckLength(dims, padding, nameof(padding));
                fixed (long* k = kernel, s = stride, p = padding)
                {
                    var r = W(NativeMethods.ct_nn_avg_pool(H(input), dims, k, s, p, ceil ? 1 : 0, countIncludePad ? 1 : 0));
                    GC.KeepAlive(input);
                    return r;
                }
            }

            /// <summary>Zeroes elements with probability p and scales the rest by 1/(1-p) when training; identity otherwise.
            /// The mask comes from the global generator, so it equals PyTorch's after the same manual_seed.</summary>
            public static Tensor dropout(Tensor input, double p = 0.5, bool training = true)
            {
                if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability has to be between 0 and 1.");
                var r = W(NativeMethods.ct_nn_dropout(H(input), p, training ? 1 : 0));
                GC.KeepAlive(input);
                return r;
            }

            public static Tensor batch_norm(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight = null, Tensor? bias = null,
                bool training = false, double momentum = 0.1, double eps = 1e-5)
            {
                var r = W(NativeMethods.ct_nn_batch_norm(H(input), H(weight), H(bias), H(running_mean), H(running_var), training ? 1 : 0, momentum, eps));
                GC.KeepAlive(input); GC.KeepAlive(weight); GC.KeepAlive(bias); GC.KeepAlive(running_mean); GC.KeepAlive(running_var);
                return r;
            }

            public static Tensor layer_norm(Tensor input, long[] normalized_shape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
            {
                fixed (long* s = normalized_shape)
                {
                    var r = W(NativeMethods.ct_nn_layer_norm(H(input), s, normalized_shape.Length, H(weight), H(bias), eps));
                    GC.KeepAlive(input); GC.KeepAlive(weight); GC.KeepAlive(bias);
                    return r;
                }
            }

            public static Tensor embedding(Tensor input, Tensor weight, long? padding_idx = null)
            {
                var r = W(NativeMethods.ct_nn_embedding(H(weight), H(input), padding_idx ?? -1));
                GC.KeepAlive(input); GC.KeepAlive(weight);
                return r;
            }

            public static Tensor flatten(Tensor input, long start_dim = 0, long end_dim = -1)
            {
                var r = W(NativeMethods.ct_nn_flatten(H(input), start_dim, end_dim));
                GC.KeepAlive(input);
                return r;
            }

            // ---------------------------------------------------------------- activations

            public static Tensor sigmoid(Tensor input) => Activation(input, Act.Sigmoid);
            public static Tensor tanh(Tensor input) => Activation(input, Act.Tanh);
            public static Tensor relu(Tensor input) => Activation(input, Act.Relu);
            public static Tensor leaky_relu(Tensor input, double negative_slope = 0.01) => Activation(input, Act.LeakyRelu, negative_slope);
            public static Tensor elu(Tensor input, double alpha = 1.0) => Activation(input, Act.Elu, alpha);
            public static Tensor softsign(Tensor input) => Activation(input, Act.Softsign);
            public static Tensor softplus(Tensor input, double beta = 1.0, double threshold = 20.0) => Activation(input, Act.Softplus, beta, threshold);
            public static Tensor softmax(Tensor input, long dim) => Activation(input, Act.Softmax, dim);
            public static Tensor log_softmax(Tensor input, long dim) => Activation(input, Act.LogSoftmax, dim);

            /// <summary>GELU; approximate is "none" (exact, erf) or "tanh".</summary>
            public static Tensor gelu(Tensor input, string approximate = "none") => approximate switch
            {
                "none" => Activation(input, Act.Gelu, 0),
                "tanh" => Activation(input, Act.Gelu, 1),
                _ => throw new ArgumentException($"approximate must be \"none\" or \"tanh\", got \"{approximate}\".", nameof(approximate)),
            };

            private static Tensor Activation(Tensor input, Act kind, double a = 0, double b = 0)
            {
                var r = W(NativeMethods.ct_nn_activation(H(input), (int)kind, a, b));
                GC.KeepAlive(input);
                return r;
            }

            private static void CheckLength(int dims, long[] values, string what)
            {
                if (values.Length != dims)
                    throw new ArgumentException($"{what} needs {dims} value(s) for a {dims}-d op, got {values.Length} ([{string.Join(", ", values)}]).", what);
            }
        }
    }
}

using static ClusterTrainer.Torch.NNInterop;

namespace ClusterTrainer.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>
        /// torch.nn.init. Every function draws from libtorch's global generator and computes its bounds in double
        /// exactly as PyTorch 1.13's Python code does, so after the same <c>torch.manual_seed</c> a module built
        /// here gets bit-identical initial weights to the same module built in Python.
        /// </summary>
        public static class init
        {
            public static Tensor uniform_(Tensor t, double a = 0.0, double b = 1.0) => Init(t, 0, a, b);

            public static Tensor normal_(Tensor t, double mean = 0.0, double std = 1.0) => Init(t, 1, mean, std);

            public static Tensor constant_(Tensor t, double value) => Init(t, 2, value, 0);

            public static Tensor zeros_(Tensor t) => constant_(t, 0.0);

            public static Tensor ones_(Tensor t) => constant_(t, 1.0);

            /// <summary>torch.nn.init.calculate_gain for the nonlinearities the layers here use.</summary>
            public static double calculate_gain(string nonlinearity, double? param = null) => nonlinearity switch
            {
                "linear" or "conv1d" or "conv2d" or "conv3d" or "sigmoid" => 1.0,
                "tanh" => 5.0 / 3,
                "relu" => Math.Sqrt(2.0),
                "leaky_relu" => Math.Sqrt(2.0 / (1 + Math.Pow(param ?? 0.01, 2))),
                "selu" => 3.0 / 4,
                _ => throw new ArgumentException($"Unsupported nonlinearity '{nonlinearity}'; use linear, conv1d/2d/3d, sigmoid, tanh, relu, leaky_relu or selu.", nameof(nonlinearity)),
            };

            /// <summary>(fan_in, fan_out) as torch.nn.init._calculate_fan_in_and_fan_out.</summary>
            public static (long fan_in, long fan_out) calculate_fan_in_and_fan_out(Tensor t)
            {
                var shape = t.shape;
                if (shape.Length < 2)
                    throw new ArgumentException($"Fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (shape [{string.Join(", ", shape)}]).");
                long receptive = 1;
                for (int i = 2; i < shape.Length; i++) receptive *= shape[i];
                return (shape[1] * receptive, shape[0] * receptive);
            }

            /// <summary>kaiming_uniform_(tensor, a, mode="fan_in", nonlinearity="leaky_relu").</summary>
            public static Tensor kaiming_uniform_(Tensor t, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu")
            {
                var (fanIn, fanOut) = calculate_fan_in_and_fan_out(t);
                long fan = mode switch
                {
                    "fan_in" => fanIn,
                    "fan_out" => fanOut,
                    _ => throw new ArgumentException($"mode must be fan_in or fan_out, got '{mode}'.", nameof(mode)),
                };
                double gain = calculate_gain(nonlinearity, a);
                double std = gain / Math.Sqrt(fan);
                double bound = Math.Sqrt(3.0) * std;
                return uniform_(t, -bound, bound);
            }

            /// <summary>kaiming_normal_(tensor, a, mode="fan_in", nonlinearity="leaky_relu").</summary>
            public static Tensor kaiming_normal_(Tensor t, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu")
            {
                var (fanIn, fanOut) = calculate_fan_in_and_fan_out(t);
                long fan = mode switch
                {
                    "fan_in" => fanIn,
                    "fan_out" => fanOut,
                    _ => throw new ArgumentException($"mode must be fan_in or fan_out, got '{mode}'.", nameof(mode)),
                };
                double std = calculate_gain(nonlinearity, a) / Math.Sqrt(fan);
                return normal_(t, 0, std);
            }

            /// <summary>xavier_normal_(tensor, gain).</summary>
            public static Tensor xavier_normal_(Tensor t, double gain = 1.0)
            {
                var (fanIn, fanOut) = calculate_fan_in_and_fan_out(t);
                return normal_(t, 0, gain * Math.Sqrt(2.0 / (fanIn + fanOut)));
            }

            /// <summary>xavier_uniform_(tensor, gain).</summary>
            public static Tensor xavier_uniform_(Tensor t, double gain = 1.0)
            {
                var (fanIn, fanOut) = calculate_fan_in_and_fan_out(t);
                double std = gain * Math.Sqrt(2.0 / (fanIn + fanOut));
                double a = Math.Sqrt(3.0) * std;
                return uniform_(t, -a, a);
            }

            /// <summary>The default init of Linear and Conv: kaiming_uniform_(weight, a=sqrt(5)), then the bias
            /// uniform in +-1/sqrt(fan_in), in that order.</summary>
            internal static void DefaultLinearInit(Tensor weight, Tensor? bias)
            {
                kaiming_uniform_(weight, a: Math.Sqrt(5));
                if (bias is null) return;
                var (fanIn, _) = calculate_fan_in_and_fan_out(weight);
                double bound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
                uniform_(bias, -bound, bound);
            }

            private static Tensor Init(Tensor t, int kind, double a, double b)
            {
                Check(NativeMethods.ct_nn_init_(H(t), kind, a, b));
                GC.KeepAlive(t);
                return t;
            }
        }
    }
}

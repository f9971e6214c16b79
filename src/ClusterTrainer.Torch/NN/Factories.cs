using ClusterTrainer.Torch.Modules;

namespace ClusterTrainer.Torch;

public static partial class torch
{
    /// <summary>torch.nn: layer factories named as in PyTorch (nn.Linear(784, 10)); the classes live in
    /// <see cref="ClusterTrainer.Torch.Modules"/>.</summary>
    public static partial class nn
    {
        public static Modules.Linear Linear(long in_features, long out_features, bool bias = true) => new(in_features, out_features, bias);

        public static Modules.Conv1d Conv1d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1, long groups = 1, bool bias = true)
            => new(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias);

        public static Modules.Conv1d Conv1d(long in_channels, long out_channels, long kernel_size, string padding, long stride = 1, long dilation = 1, long groups = 1, bool bias = true)
            => new(in_channels, out_channels, kernel_size, padding, stride, dilation, groups, bias);

        /// <summary>Conv2d with padding "same" (output size = input size; stride 1) or "valid".</summary>
        public static Modules.Conv2d Conv2d(long in_channels, long out_channels, long kernel_size, string padding, long dilation = 1, long groups = 1, bool bias = true)
            => new(in_channels, out_channels, [kernel_size, kernel_size], padding, null, [dilation, dilation], groups, bias);

        public static Modules.Conv2d Conv2d(long in_channels, long out_channels, long[] kernel_size, string padding, long[]? stride = null, long[]? dilation = null, long groups = 1, bool bias = true)
            => new(in_channels, out_channels, kernel_size, padding, stride, dilation, groups, bias);

        public static Modules.Conv2d Conv2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1, long groups = 1, bool bias = true)
            => new(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias);

        public static Modules.Conv2d Conv2d(long in_channels, long out_channels, long[] kernel_size, long[]? stride = null, long[]? padding = null, long[]? dilation = null, long groups = 1, bool bias = true)
            => new(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias);

        public static Modules.Conv3d Conv3d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1, long groups = 1, bool bias = true)
            => new(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias);

        public static Modules.Conv3d Conv3d(long in_channels, long out_channels, long[] kernel_size, long[]? stride = null, long[]? padding = null, long[]? dilation = null, long groups = 1, bool bias = true)
            => new(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias);

        public static Modules.MaxPool1d MaxPool1d(long kernel_size, long? stride = null, long padding = 0, long dilation = 1, bool ceil_mode = false)
            => new(kernel_size, stride, padding, dilation, ceil_mode);

        public static Modules.MaxPool2d MaxPool2d(long kernel_size, long? stride = null, long padding = 0, long dilation = 1, bool ceil_mode = false)
            => new(kernel_size, stride, padding, dilation, ceil_mode);

        public static Modules.AvgPool1d AvgPool1d(long kernel_size, long? stride = null, long padding = 0, bool ceil_mode = false, bool count_include_pad = true)
            => new(kernel_size, stride, padding, ceil_mode, count_include_pad);

        public static Modules.AvgPool2d AvgPool2d(long kernel_size, long? stride = null, long padding = 0, bool ceil_mode = false, bool count_include_pad = true)
            => new(kernel_size, stride, padding, ceil_mode, count_include_pad);

        public static Modules.Dropout Dropout(double p = 0.5) => new(p);
        public static Modules.Flatten Flatten(long start_dim = 1, long end_dim = -1) => new(start_dim, end_dim);
        public static Modules.Embedding Embedding(long num_embeddings, long embedding_dim, long? padding_idx = null) => new(num_embeddings, embedding_dim, padding_idx);

        public static Modules.BatchNorm1d BatchNorm1d(long num_features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool track_running_stats = true)
            => new(num_features, eps, momentum, affine, track_running_stats);

        public static Modules.BatchNorm2d BatchNorm2d(long num_features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool track_running_stats = true)
            => new(num_features, eps, momentum, affine, track_running_stats);

        public static Modules.LayerNorm LayerNorm(long normalized_shape, double eps = 1e-5, bool elementwise_affine = true) => new(normalized_shape, eps, elementwise_affine);
        public static Modules.LayerNorm LayerNorm(long[] normalized_shape, double eps = 1e-5, bool elementwise_affine = true) => new(normalized_shape, eps, elementwise_affine);

        public static Modules.Sequential Sequential(params Module<Tensor, Tensor>[] modules) => new(modules);
        public static Modules.Sequential Sequential(params (string name, Module<Tensor, Tensor> module)[] modules) => new(modules);

        public static Modules.ModuleList<T> ModuleList<T>(params T[] modules) where T : Module => new(modules);
        public static Modules.Identity Identity() => new();

        public static Modules.RNN RNN(long input_size, long hidden_size, long num_layers = 1, string nonlinearity = "tanh", bool bias = true, bool batch_first = false, double dropout = 0.0, bool bidirectional = false)
            => new(input_size, hidden_size, num_layers, nonlinearity, bias, batch_first, dropout, bidirectional);

        public static Modules.LSTM LSTM(long input_size, long hidden_size, long num_layers = 1, bool bias = true, bool batch_first = false, double dropout = 0.0, bool bidirectional = false)
            => new(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional);

        public static Modules.GRU GRU(long input_size, long hidden_size, long num_layers = 1, bool bias = true, bool batch_first = false, double dropout = 0.0, bool bidirectional = false)
            => new(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional);

        public static Modules.MultiheadAttention MultiheadAttention(long embed_dim, long num_heads, double dropout = 0.0, bool bias = true, bool batch_first = false)
            => new(embed_dim, num_heads, dropout, bias, batch_first);

        public static Modules.TransformerEncoderLayer TransformerEncoderLayer(long d_model, long nhead, long dim_feedforward = 2048, double dropout = 0.1, string activation = "relu",
            double layer_norm_eps = 1e-5, bool batch_first = false, bool norm_first = false)
            => new(d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first, norm_first);

        public static Modules.Sigmoid Sigmoid() => new();
        public static Modules.Tanh Tanh() => new();
        public static Modules.ReLU ReLU() => new();
        public static Modules.LeakyReLU LeakyReLU(double negative_slope = 0.01) => new(negative_slope);
        public static Modules.ELU ELU(double alpha = 1.0) => new(alpha);
        public static Modules.Softsign Softsign() => new();
        public static Modules.Softplus Softplus(double beta = 1.0, double threshold = 20.0) => new(beta, threshold);
        public static Modules.Softmax Softmax(long dim) => new(dim);
        public static Modules.LogSoftmax LogSoftmax(long dim) => new(dim);
        public static Modules.GELU GELU(string approximate = "none") => new(approximate);

        public static MSELoss MSELoss(Reduction reduction = Reduction.Mean) => new(reduction);
        public static L1Loss L1Loss(Reduction reduction = Reduction.Mean) => new(reduction);
        public static HuberLoss HuberLoss(Reduction reduction = Reduction.Mean, double delta = 1.0) => new(reduction, delta);
        public static SmoothL1Loss SmoothL1Loss(Reduction reduction = Reduction.Mean, double beta = 1.0) => new(reduction, beta);
        public static CrossEntropyLoss CrossEntropyLoss(Tensor? weight = null, long ignore_index = -100, Reduction reduction = Reduction.Mean, double label_smoothing = 0.0)
            => new(weight, ignore_index, reduction, label_smoothing);
        public static NLLLoss NLLLoss(Tensor? weight = null, long ignore_index = -100, Reduction reduction = Reduction.Mean) => new(weight, ignore_index, reduction);
        public static BCELoss BCELoss(Tensor? weight = null, Reduction reduction = Reduction.Mean) => new(weight, reduction);
        public static BCEWithLogitsLoss BCEWithLogitsLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean, Tensor? pos_weight = null) => new(weight, reduction, pos_weight);
        public static KLDivLoss KLDivLoss(Reduction reduction = Reduction.Mean, bool log_target = false) => new(reduction, log_target);
        public static HingeEmbeddingLoss HingeEmbeddingLoss(double margin = 1.0, Reduction reduction = Reduction.Mean) => new(margin, reduction);
        public static MultiMarginLoss MultiMarginLoss(long p = 1, double margin = 1.0, Tensor? weight = null, Reduction reduction = Reduction.Mean) => new(p, margin, weight, reduction);
    }
}

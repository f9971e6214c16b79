using System.Runtime.InteropServices;

namespace ClusterTrainer.Torch;

/// <summary>Imports of the nn area of the native shim (native/ct_nn.cpp). Tensor handles are passed as raw
/// pointers; a null pointer means "absent" for optional tensors. Functions returning a handle return null on
/// error, functions returning int return -1; either way the message sits in core's last-error slot.</summary>
internal static unsafe partial class NativeMethods
{
    private const string NNLibrary = "ct_torch";

    /// <summary>Keep in sync with the Act enum in ct_nn.cpp.</summary>
    internal enum Activation { Sigmoid = 0, Tanh, Relu, LeakyRelu, Elu, Softsign, Softplus, Softmax, LogSoftmax, Gelu }

    /// <summary>Keep in sync with the Loss enum in ct_nn.cpp.</summary>
    internal enum LossKind { Mse = 0, L1, Huber, SmoothL1, CrossEntropy, Nll, Bce, BceLogits, KlDiv, HingeEmbedding, MultiMargin }

    [LibraryImport(NNLibrary)] internal static partial IntPtr ct_nn_linear(IntPtr x, IntPtr w, IntPtr b);

    [LibraryImport(NNLibrary)]
    internal static partial IntPtr ct_nn_conv(IntPtr x, IntPtr w, IntPtr b, int dims, long* stride, long* padding, long* dilation, long groups);

    [LibraryImport(NNLibrary)]
    internal static partial IntPtr ct_nn_conv_padmode(IntPtr x, IntPtr w, IntPtr b, int dims, long* stride, int mode, long* dilation, long groups);

    [LibraryImport(NNLibrary)]
    internal static partial IntPtr ct_nn_max_pool(IntPtr x, int dims, long* kernel, long* stride, long* padding, long* dilation, int ceilMode);

    [LibraryImport(NNLibrary)]
    internal static partial IntPtr ct_nn_avg_pool(IntPtr x, int dims, long* kernel, long* stride, long* padding, int ceilMode, int countIncludePad);

    [LibraryImport(NNLibrary)] internal static partial IntPtr ct_nn_dropout(IntPtr x, double p, int train);

    [LibraryImport(NNLibrary)]
    internal static partial IntPtr ct_nn_batch_norm(IntPtr x, IntPtr w, IntPtr b, IntPtr runningMean, IntPtr runningVar, int training,
        double momentum, double eps);

    [LibraryImport(NNLibrary)]
    internal static partial IntPtr ct_nn_layer_norm(IntPtr x, long* shape, int ndim, IntPtr w, IntPtr b, double eps);

    [LibraryImport(NNLibrary)] internal static partial IntPtr ct_nn_embedding(IntPtr weight, IntPtr indices, long paddingIdx);

    [LibraryImport(NNLibrary)] internal static partial IntPtr ct_nn_flatten(IntPtr x, long startDim, long endDim);

    [LibraryImport(NNLibrary)] internal static partial IntPtr ct_nn_activation(IntPtr x, int kind, double a, double b);

    [LibraryImport(NNLibrary)]
    internal static partial IntPtr ct_nn_loss(int kind, IntPtr input, IntPtr target, IntPtr weight, IntPtr extra, long reduction, double a, long i);

    [LibraryImport(NNLibrary)]
    internal static partial int ct_nn_rnn(int mode, IntPtr input, IntPtr hx, IntPtr cx, IntPtr* parameters, long nparams, int hasBiases,
        long numLayers, double dropout, int train, int bidirectional, int batchFirst, IntPtr* output, IntPtr* h, IntPtr* c);

    [LibraryImport(NNLibrary)]
    internal static partial int ct_nn_mha(IntPtr q, IntPtr k, IntPtr v, long heads, IntPtr wIn, IntPtr bIn, IntPtr wOut, IntPtr bOut,
        double dropoutP, int training, IntPtr keyPaddingMask, IntPtr attnMask, int needWeights, int average, int batchFirst,
        IntPtr* output, IntPtr* weights);

    [LibraryImport(NNLibrary)] internal static partial int ct_nn_init_(IntPtr t, int kind, double a, double b);

    [LibraryImport(NNLibrary)] internal static partial IntPtr ct_nn_parameter(IntPtr data, int requiresGrad);

    [LibraryImport(NNLibrary)] internal static partial int ct_nn_set_data(IntPtr param, IntPtr data);

    [LibraryImport(NNLibrary)] internal static partial int ct_nn_copy_(IntPtr dst, IntPtr src);

    [LibraryImport(NNLibrary)] internal static partial int ct_nn_zero_grad(IntPtr param);

    [LibraryImport(NNLibrary)]
    internal static partial int ct_nn_flatten_parameters(IntPtr* parameters, long n, long* offsets, IntPtr* flat, IntPtr* grad);

    [LibraryImport(NNLibrary)] internal static partial IntPtr ct_nn_export(IntPtr t, void** data, long* nbytes, int* dtype);

    [LibraryImport(NNLibrary)]
    internal static partial IntPtr ct_nn_import(void* storage, long nbytes, int dtype, long* size, long* stride, int ndim, long offset);
}

using System.Runtime.InteropServices;

namespace ClusterTrainer.Torch;

// Exports of native/ct_optim.cpp. Every int32 result is 0 on success or -1 with the error stored
// thread-locally; every tensor result is null on error (see ct_common.h).
internal static partial class NativeMethods
{
    [LibraryImport(Lib)] internal static partial int ct_optim_has_grad(TensorHandle param);
    [LibraryImport(Lib)] internal static partial IntPtr ct_optim_state_like(TensorHandle param, double fill);
    [LibraryImport(Lib)] internal static partial IntPtr ct_optim_scalar_state(double value);
    [LibraryImport(Lib)] internal static partial IntPtr ct_optim_clone_state(TensorHandle t);
    [LibraryImport(Lib)] internal static partial int ct_optim_same_shape(TensorHandle a, TensorHandle b);
    [LibraryImport(Lib)] internal static unsafe partial int ct_optim_zero_grad(IntPtr* parameters, int n, int setToNone);

    [LibraryImport(Lib)]
    internal static partial int ct_optim_sgd_step(TensorHandle param, TensorHandle grad, TensorHandle momentumBuffer, int bufferFresh,
        double lr, double momentum, double dampening, double weightDecay, int nesterov, int maximize);

    [LibraryImport(Lib)]
    internal static partial int ct_optim_adagrad_step(TensorHandle param, TensorHandle grad, TensorHandle stateSum, long step, double lr,
        double lrDecay, double weightDecay, double eps, int maximize);

    [LibraryImport(Lib)]
    internal static partial int ct_optim_adadelta_step(TensorHandle param, TensorHandle grad, TensorHandle squareAvg, TensorHandle accDelta,
        double lr, double rho, double eps, double weightDecay, int maximize);

    [LibraryImport(Lib)]
    internal static partial int ct_optim_rmsprop_step(TensorHandle param, TensorHandle grad, TensorHandle squareAvg, TensorHandle gradAvg,
        TensorHandle momentumBuffer, double lr, double alpha, double eps, double weightDecay, double momentum, int centered,
        int maximize);

    [LibraryImport(Lib)]
    internal static partial int ct_optim_adam_step(TensorHandle param, TensorHandle grad, TensorHandle expAvg, TensorHandle expAvgSq,
        TensorHandle maxExpAvgSq, long step, double lr, double beta1, double beta2, double eps, double weightDecay,
        int amsgrad, int maximize, int decoupled);

    [LibraryImport(Lib)]
    internal static partial int ct_optim_adamax_step(TensorHandle param, TensorHandle grad, TensorHandle expAvg, TensorHandle expInf, long step,
        double lr, double beta1, double beta2, double eps, double weightDecay, int maximize);

    [LibraryImport(Lib)]
    internal static partial int ct_optim_nadam_step(TensorHandle param, TensorHandle grad, TensorHandle expAvg, TensorHandle expAvgSq,
        TensorHandle muProduct, long step, double lr, double beta1, double beta2, double eps, double weightDecay,
        double momentumDecay);

    [LibraryImport(Lib)]
    internal static unsafe partial IntPtr ct_optim_clip_grad_norm(IntPtr* parameters, int n, double maxNorm,
        double normType, int errorIfNonfinite);

    [LibraryImport(Lib)]
    internal static unsafe partial int ct_optim_clip_grad_value(IntPtr* parameters, int n, double clipValue);

    [LibraryImport(Lib)]
    internal static unsafe partial IntPtr ct_optim_penalty(IntPtr* parameters, int n, double lambda, int kind);

    [LibraryImport(Lib)]
    internal static unsafe partial int ct_optim_grad_norm_part(IntPtr* grads, int n, double normType, out double part);

    [LibraryImport(Lib)]
    internal static unsafe partial int ct_optim_scale_grads(IntPtr* grads, int n, double coef);
}

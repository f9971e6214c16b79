namespace ClusterTrainer.Torch;

using ClusterTrainer.Torch.Optim;

public static partial class torch
{
    /// <summary>
    /// Optimizers with PyTorch's names, arguments and defaults (PyTorch 1.13). Each returns an optimizer
    /// over one parameter group; for several groups with their own hyperparameters build the class
    /// directly: <c>new Optim.SGD([new ParamGroup(a), new ParamGroup(b, opts with { LearningRate = 0.01 })], opts)</c>.
    /// </summary>
    public static partial class optim
    {
        public static Optim.SGD SGD(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0,
            double weight_decay = 0, bool nesterov = false, bool maximize = false) =>
            new(parameters, new Optim.SGD.Options
            {
                LearningRate = lr, momentum = momentum, dampening = dampening, weight_decay = weight_decay,
                nesterov = nesterov, maximize = maximize,
            });

        public static Optim.Adagrad Adagrad(IEnumerable<Tensor> parameters, double lr = 1e-2, double lr_decay = 0,
            double weight_decay = 0, double initial_accumulator_value = 0, double eps = 1e-10, bool maximize = false) =>
            new(parameters, new Optim.Adagrad.Options
            {
                LearningRate = lr, lr_decay = lr_decay, weight_decay = weight_decay,
                initial_accumulator_value = initial_accumulator_value, eps = eps, maximize = maximize,
            });

        public static Optim.Adadelta Adadelta(IEnumerable<Tensor> parameters, double lr = 1.0, double rho = 0.9,
            double eps = 1e-6, double weight_decay = 0, bool maximize = false) =>
            new(parameters, new Optim.Adadelta.Options
            {
                LearningRate = lr, rho = rho, eps = eps, weight_decay = weight_decay, maximize = maximize,
            });

        public static Optim.RMSprop RMSprop(IEnumerable<Tensor> parameters, double lr = 1e-2, double alpha = 0.99,
            double eps = 1e-8, double weight_decay = 0, double momentum = 0, bool centered = false,
            bool maximize = false) =>
            new(parameters, new Optim.RMSprop.Options
            {
                LearningRate = lr, alpha = alpha, eps = eps, weight_decay = weight_decay, momentum = momentum,
                centered = centered, maximize = maximize,
            });

        public static Optim.Adam Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, (double, double)? betas = null,
            double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false) =>
            new(parameters, new Optim.Adam.Options
            {
                LearningRate = lr, betas = betas ?? (0.9, 0.999), eps = eps, weight_decay = weight_decay,
                amsgrad = amsgrad, maximize = maximize,
            });

        public static Optim.AdamW AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, (double, double)? betas = null,
            double eps = 1e-8, double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false) =>
            new(parameters, new Optim.Adam.Options
            {
                LearningRate = lr, betas = betas ?? (0.9, 0.999), eps = eps, weight_decay = weight_decay,
                amsgrad = amsgrad, maximize = maximize,
            });

        public static Optim.Adamax Adamax(IEnumerable<Tensor> parameters, double lr = 2e-3, (double, double)? betas = null,
            double eps = 1e-8, double weight_decay = 0, bool maximize = false) =>
            new(parameters, new Optim.Adamax.Options
            {
                LearningRate = lr, betas = betas ?? (0.9, 0.999), eps = eps, weight_decay = weight_decay,
                maximize = maximize,
            });

        public static Optim.NAdam NAdam(IEnumerable<Tensor> parameters, double lr = 2e-3, (double, double)? betas = null,
            double eps = 1e-8, double weight_decay = 0, double momentum_decay = 4e-3) =>
            new(parameters, new Optim.NAdam.Options
            {
                LearningRate = lr, betas = betas ?? (0.9, 0.999), eps = eps, weight_decay = weight_decay,
                momentum_decay = momentum_decay,
            });
    }
}

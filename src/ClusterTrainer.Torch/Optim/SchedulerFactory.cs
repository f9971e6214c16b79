namespace ClusterTrainer.Torch;

using ClusterTrainer.Torch.Optim;

public static partial class torch
{
    public static partial class optim
    {
        /// <summary>
        /// Learning-rate schedulers with PyTorch's names, arguments and defaults (PyTorch 1.13). <c>optimizer</c> is an
        /// <see cref="Optimizer"/> or a standalone <see cref="LrTarget"/>.
        /// </summary>
        public static class lr_scheduler
        {
            public static Optim.StepLR StepLR(LrTarget optimizer, int step_size, double gamma = 0.1) =>
                new(optimizer, step_size, gamma);

            public static Optim.MultiStepLR MultiStepLR(LrTarget optimizer, IEnumerable<int> milestones,
                double gamma = 0.1) => new(optimizer, milestones, gamma);

            public static Optim.ExponentialLR ExponentialLR(LrTarget optimizer, double gamma) => new(optimizer, gamma);

            public static Optim.CosineAnnealingLR CosineAnnealingLR(LrTarget optimizer, int T_max, double eta_min = 0) =>
                new(optimizer, T_max, eta_min);

            public static Optim.LambdaLR LambdaLR(LrTarget optimizer, Func<int, double> lr_lambda) =>
                new(optimizer, lr_lambda);

            public static Optim.ReduceLROnPlateau ReduceLROnPlateau(LrTarget optimizer, string mode = "min",
                double factor = 0.1, int patience = 10, double threshold = 1e-4, string threshold_mode = "rel",
                int cooldown = 0, double min_lr = 0, double eps = 1e-8) =>
                new(optimizer, mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps);
        }
    }
}

using ClusterTrainer.Torch.Optim;
using ClusterTrainer.Torch.Tests.Core;
using ClusterTrainer.Torch.Tests.Golden;
using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.Optim;

/// <summary>An optimizer, a scheduler, clipping and a penalty in a 100-step loop leave no native tensor behind.</summary>
[Collection(LiveCounterCollection.Name)]
public sealed class OptimizerMemoryTests
{
    private static long SettledCount()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return LiveNativeTensors;
    }

    [Fact]
    public void A_training_loop_ends_with_zero_live_native_tensors()
    {
        long baseline = SettledCount();
        float firstLoss, lastLoss;
        using (var x = OptimTensors.FromFloats([1f, 2f, 3f, 4f, -1f, 0.5f], [3, 2]))
        using (var y = OptimTensors.FromFloats([1f, 0f, 2f], [3, 1]))
        using (var w = OptimTensors.Zeros([2, 1], requiresGrad: true))
        {
            using var opt = optim.Adam([w], lr: 0.05);
            var sched = optim.lr_scheduler.StepLR(opt, step_size: 30, gamma: 0.5);
            firstLoss = lastLoss = float.NaN;
            for (int step = 0; step < 100; step++)
            {
                using var scope = NewDisposeScope();
                opt.zero_grad(set_to_none: true);
                var loss = (x.matmul(w) - y).square().mean() + Regularization.L2Penalty([w], 1e-4);
                loss.backward();
                nn.utils.clip_grad_norm_([w], max_norm: 1.0);
                opt.step();
                sched.step();
                lastLoss = loss.item<float>();
                if (step == 0) firstLoss = lastLoss;
            }
            opt.zero_grad(set_to_none: true);
        }
        Assert.True(lastLoss < firstLoss / 2, $"loss went from {firstLoss} to {lastLoss}");
        Assert.Equal(baseline, SettledCount());
    }
}

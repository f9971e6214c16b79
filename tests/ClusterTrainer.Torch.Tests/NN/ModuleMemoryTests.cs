using ClusterTrainer.Torch.Tests.Golden;
using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.NN;

/// <summary>Module state outlives dispose scopes; step temporaries do not. Runs outside the parallel pool because
/// it reads the process-wide live native tensor counter.</summary>
[Collection(GlobalGeneratorCollection.Name)]
public sealed class ModuleMemoryTests
{
    private static long SettledLiveTensors()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return LiveNativeTensors;
    }

    [Fact]
    public void Parameters_built_inside_a_scope_survive_it()
    {
        nn.Module<Tensor, Tensor> model;
        using (NewDisposeScope())
            model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1));
        using (model)
        {
            Assert.All(model.parameters().Concat(model.buffers()), t => Assert.False(t.IsDisposed));
            using var x = randn(6, 3);
            using var y = model.call(x);
            Assert.Equal([6L, 1], y.shape);
        }
    }

    [Fact]
    public void A_100_step_training_loop_with_modules_and_losses_leaves_no_native_tensors()
    {
        long baseline = SettledLiveTensors();
        using (var model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Dropout(0.1), nn.Linear(8, 3)))
        using (var lossFn = nn.CrossEntropyLoss(label_smoothing: 0.05))
        using (var flat = FlatParameters.Create(model))
        {
            manual_seed(5);
            for (int step = 0; step < 100; step++)
            {
                using var scope = NewDisposeScope();
                var x = randn(16, 4);
                var target = randint(0, 3, [16]);
                var loss = lossFn.call(model.call(x), target);
                model.zero_grad();
                loss.backward();
                using (no_grad())
                    foreach (var p in model.parameters())
                        p.sub_(p.grad!, 0.1);
            }
            Assert.True(flat.GradientsSpan.ToArray().Any(g => g != 0f));
        }
        Assert.Equal(baseline, SettledLiveTensors());
    }
}

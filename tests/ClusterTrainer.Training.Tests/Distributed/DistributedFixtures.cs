using ClusterTrainer.Actors;
using ClusterTrainer.Torch;
using ClusterTrainer.Training.Distributed;
using ClusterTrainer.Training.Distributed.Coordinator;
using ClusterTrainer.Training.Distributed.Worker;
using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Tests.Distributed;

/// <summary>Tests that seed torch's global RNG run one at a time, so that no other test draws from it in between.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchRngCollection
{
    public const string Name = "torch global RNG";
}

/// <summary>A small no-dropout MLP, learnable synthetic data, and helpers shared by the distributed tests.</summary>
internal static class DistributedFixtures
{
    public const int Features = 8, Classes = 4;

    public static nn.Module<Tensor, Tensor> Mlp() =>
        nn.Sequential(nn.Linear(Features, 16), nn.Tanh(), nn.Linear(16, Classes));

    public static Tensor CrossEntropy(Tensor logits, Tensor targets) => nn.functional.cross_entropy(logits, targets);

    /// <summary><paramref name="n"/> samples whose class is the argmax of a fixed random linear map (learnable).</summary>
    public static TrainingData Data(int n, long seed)
    {
        manual_seed(seed);
        var x = randn(n, Features);
        using var w = randn(Features, Classes);
        using var scores = x.matmul(w);
        var y = scores.argmax(1);
        x.DetachFromDisposeScope();
        y.DetachFromDisposeScope();
        return new TrainingData(x, y);
    }

    public static async Task<RunResult> RunAsync(TrainingJob job)
    {
        using var system = ActorSystem.Create("training-" + Guid.NewGuid().ToString("N")[..8]);
        var coordinator = system.ActorOf(Props.CreateBy(() => new CoordinatorActor(job)), "coordinator");
        var answer = await coordinator.Ask(StartRun.Instance, TimeSpan.FromMinutes(3));
        await system.Terminate();
        return answer switch
        {
            RunResult r => r,
            RunFailed f => throw new Xunit.Sdk.XunitException("The run failed: " + f.Reason),
            _ => throw new Xunit.Sdk.XunitException($"Unexpected answer {answer}"),
        };
    }

    /// <summary>Mean loss over all of <paramref name="data"/> with the flat parameters <paramref name="flat"/>.</summary>
    public static float FullLoss(float[] flat, TrainingData data)
    {
        using var scope = NewDisposeScope();
        using var model = Mlp();
        using var fp = FlatParameters.Create(model);
        flat.AsSpan().CopyTo(fp.ValuesSpan);
        using (no_grad()) return CrossEntropy(model.call(data.Inputs), data.Targets).item<float>();
    }
}

using ClusterTrainer.Torch;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Models;

/// <summary>
/// A small classifier for 28×28 grey images without dropout: Flatten, Linear(784, hidden) + ReLU,
/// Linear(hidden, 10). Input [N, 1, 28, 28], output [N, 10] logits. Deterministic given its parameters and
/// batch, which makes it the model of choice for exact distributed-vs-single-process comparisons.
/// </summary>
public sealed class MlpClassifier : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> flatten = nn.Flatten();
    private readonly nn.Module<Tensor, Tensor> fc1;
    private readonly nn.Module<Tensor, Tensor> fc2;

    public MlpClassifier(int hidden = 64) : base(nameof(MlpClassifier))
    {
        fc1 = nn.Linear(784, hidden);
        fc2 = nn.Linear(hidden, 10);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var x = flatten.call(input);
        using var h = fc1.call(x);
        using var a = nn.functional.relu(h);
        return fc2.call(a);
    }
}

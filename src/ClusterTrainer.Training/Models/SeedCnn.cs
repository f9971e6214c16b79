using ClusterTrainer.Torch;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Models;

/// <summary>
/// The seed CNN for 28×28 grey images, exactly: Conv2d(1, 32, 3) + ReLU, MaxPool2d(2), Flatten,
/// Linear(5408, 128) + ReLU, Dropout(0.5), Linear(128, 10). Input [N, 1, 28, 28], output [N, 10] logits.
/// (32 channels × 13 × 13 after the pool = 5408.) 693,962 parameters.
/// </summary>
public sealed class SeedCnn : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> conv1 = nn.Conv2d(1, 32, 3);
    private readonly nn.Module<Tensor, Tensor> pool = nn.MaxPool2d(2);
    private readonly nn.Module<Tensor, Tensor> flatten = nn.Flatten();
    private readonly nn.Module<Tensor, Tensor> fc1 = nn.Linear(5408, 128);
    private readonly nn.Module<Tensor, Tensor> dropout = nn.Dropout(0.5);
    private readonly nn.Module<Tensor, Tensor> fc2 = nn.Linear(128, 10);

    public SeedCnn() : base(nameof(SeedCnn)) => RegisterComponents();

    public override Tensor forward(Tensor input)
    {
        using var a = conv1.call(input);
        using var b = nn.functional.relu(a);
        using var c = pool.call(b);
        using var d = flatten.call(c);
        using var e = fc1.call(d);
        using var f = nn.functional.relu(e);
        using var g = dropout.call(f);
        return fc2.call(g);
    }
}

using ClusterTrainer.Torch;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Models;

/// <summary>
/// Dense autoencoder for 28×28 images: 784 → 128 → <c>code</c> → 128 → 784 with ReLU inside and a
/// Sigmoid output (pixels in [0, 1]). Input [N, 1, 28, 28] or [N, 784]; output [N, 784].
/// Train with MSE between output and the flattened input.
/// </summary>
public sealed class Autoencoder : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> encoder;
    private readonly nn.Module<Tensor, Tensor> decoder;

    public Autoencoder(int code = 32) : base(nameof(Autoencoder))
    {
        encoder = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, code), nn.ReLU());
        decoder = nn.Sequential(nn.Linear(code, 128), nn.ReLU(), nn.Linear(128, 784), nn.Sigmoid());
        RegisterComponents();
    }

    public Tensor encode(Tensor input) => encoder.call(input);

    public override Tensor forward(Tensor input)
    {
        using var z = encoder.call(input);
        return decoder.call(z);
    }
}

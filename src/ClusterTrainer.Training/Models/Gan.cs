using ClusterTrainer.Torch;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Models;

/// <summary>
/// A small fully connected GAN for 28×28 images. The generator maps noise [N, <see cref="NoiseSize"/>]
/// to images [N, 784] in [0, 1] (Sigmoid); the discriminator maps images [N, 784] to a real/fake logit
/// [N, 1]. <see cref="forward"/> runs the generator.
/// </summary>
public sealed class Gan : nn.Module<Tensor, Tensor>
{
    public int NoiseSize { get; }
    private readonly nn.Module<Tensor, Tensor> generator;
    private readonly nn.Module<Tensor, Tensor> discriminator;

    public Gan(int noiseSize = 32, int hidden = 128) : base(nameof(Gan))
    {
        NoiseSize = noiseSize;
        generator = nn.Sequential(nn.Linear(noiseSize, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, 784), nn.Sigmoid());
        discriminator = nn.Sequential(nn.Linear(784, hidden), nn.LeakyReLU(0.2), nn.Linear(hidden, 1));
        RegisterComponents();
    }

    public nn.Module<Tensor, Tensor> Generator => generator;
    public nn.Module<Tensor, Tensor> Discriminator => discriminator;

    public override Tensor forward(Tensor noise) => generator.call(noise);

    public Tensor discriminate(Tensor images) => discriminator.call(images);
}

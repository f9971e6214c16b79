using ClusterTrainer.Torch;
using ClusterTrainer.Torch.Data;
using ClusterTrainer.Training.Local;
using ClusterTrainer.Training.Models;
using Xunit;
using Xunit.Abstractions;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Tests.Models;

/// <summary>Image models of the zoo trained briefly on Fashion-MNIST subsets (3000 train / 1000 test images).</summary>
[Collection(GlobalGeneratorCollection.Name)]
public sealed class ImageModelTests(ITestOutputHelper output)
{
    private static void TrainClassifier(nn.Module<Tensor, Tensor> model, int epochs, double lr)
    {
        using var optimizer = optim.Adam(model.parameters(), lr: lr);
        var loader = new DataLoader(ZooFixtures.Train, 64, shuffle: true, seed: 1);
        model.train();
        for (int epoch = 0; epoch < epochs; epoch++)
            foreach (var (x, y) in loader.Epoch(epoch))
                using (NewDisposeScope())
                {
                    using (x) using (y)
                    {
                        optimizer.zero_grad();
                        var loss = nn.functional.cross_entropy(model.call(x), y);
                        loss.backward();
                        optimizer.step();
                    }
                }
    }

    [Fact]
    public void Seed_cnn_has_the_seed_shape_and_learns_well_above_chance()
    {
        manual_seed(1);
        using var model = new SeedCnn();
        Assert.Equal(693_962, model.parameters().Sum(p => p.numel()));
        TrainClassifier(model, epochs: 2, lr: 1e-3);
        double accuracy = Evaluation.Accuracy(model, new DataLoader(ZooFixtures.Test, 500));
        output.WriteLine($"seed CNN test accuracy after 2 epochs on 3000 images: {accuracy:0.000}");
        Assert.True(accuracy > 0.70, $"seed CNN accuracy {accuracy} should be far above chance (0.1)");
    }

    [Fact]
    public void Transformer_classifier_beats_chance_clearly()
    {
        manual_seed(2);
        using var model = new TransformerClassifier();
        TrainClassifier(model, epochs: 3, lr: 2e-3);
        double accuracy = Evaluation.Accuracy(model, new DataLoader(ZooFixtures.Test, 500));
        output.WriteLine($"transformer test accuracy after 3 epochs on 3000 images: {accuracy:0.000}");
        Assert.True(accuracy > 0.55, $"transformer accuracy {accuracy} should clearly beat chance (0.1)");
    }

    [Fact]
    public void Autoencoder_reconstruction_loss_drops_at_least_threefold()
    {
        manual_seed(3);
        using var model = new Autoencoder(code: 32);
        var testLoader = new DataLoader(ZooFixtures.Test, 1000);
        double Loss()
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var (x, _) = testLoader.Epoch(0).Single();
            return nn.functional.mse_loss(model.call(x), x.reshape(-1, 784)).item<float>();
        }
        double before = Loss();
        using var optimizer = optim.Adam(model.parameters(), lr: 2e-3);
        var loader = new DataLoader(ZooFixtures.Train, 64, shuffle: true, seed: 2);
        for (int epoch = 0; epoch < 4; epoch++)
            foreach (var (x, y) in loader.Epoch(epoch))
                using (NewDisposeScope())
                {
                    using (x) using (y)
                    {
                        optimizer.zero_grad();
                        var loss = nn.functional.mse_loss(model.call(x), x.reshape(-1, 784));
                        loss.backward();
                        optimizer.step();
                    }
                }
        double after = Loss();
        output.WriteLine($"autoencoder test MSE {before:0.00000} -> {after:0.00000} ({before / after:0.0}x)");
        Assert.True(after * 3 <= before, $"reconstruction MSE should drop at least 3x: {before} -> {after}");
    }

    [Fact]
    public void Gan_losses_stay_finite_and_samples_move_toward_the_data()
    {
        manual_seed(4);
        using var gan = new Gan(noiseSize: 32, hidden: 128);
        var data = ZooFixtures.Train;
        var dataMean = new double[784];
        for (int i = 0; i < data.Count; i++)
            for (int p = 0; p < 784; p++) dataMean[p] += data.Inputs[i * 784 + p] / data.Count;

        double DistanceToData()
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var samples = gan.call(randn([500, 32])).mean([0]).ToArray<float>();
            return Math.Sqrt(samples.Select((v, p) => (v - dataMean[p]) * (v - dataMean[p])).Sum());
        }
        double before = DistanceToData();
        using var dOpt = optim.Adam(gan.Discriminator.parameters(), lr: 2e-4, betas: (0.5, 0.999));
        using var gOpt = optim.Adam(gan.Generator.parameters(), lr: 2e-4, betas: (0.5, 0.999));
        var loader = new DataLoader(data, 64, shuffle: true, seed: 3, dropLast: true);
        double dLoss = 0, gLoss = 0;
        for (int epoch = 0; epoch < 3; epoch++)
            foreach (var (x, y) in loader.Epoch(epoch))
                using (NewDisposeScope())
                {
                    long n = x.shape[0];
                    var real = x.reshape(-1, 784);
                    var ones = torch.ones([n, 1]);
                    var zeros = torch.zeros([n, 1]);
                    // Discriminator: real -> 1, fake -> 0 (fake detached so only D learns here).
                    dOpt.zero_grad();
                    var fake = gan.call(randn([n, 32]));
                    var d = nn.functional.binary_cross_entropy_with_logits(gan.discriminate(real), ones)
                          + nn.functional.binary_cross_entropy_with_logits(gan.discriminate(fake.detach()), zeros);
                    d.backward();
                    dOpt.step();
                    // Generator: make D call fakes real.
                    gOpt.zero_grad();
                    var g = nn.functional.binary_cross_entropy_with_logits(gan.discriminate(fake), ones);
                    g.backward();
                    gOpt.step();
                    dLoss = d.item<float>();
                    gLoss = g.item<float>();
                    Assert.True(double.IsFinite(dLoss) && double.IsFinite(gLoss), $"GAN losses must stay finite: D {dLoss}, G {gLoss}");
                }
        double after = DistanceToData();
        output.WriteLine($"GAN: last D loss {dLoss:0.000}, G loss {gLoss:0.000}; |mean(sample) - mean(data)| {before:0.000} -> {after:0.000}");
        Assert.True(after < 0.7 * before, $"generator samples' mean image should move toward the data's: distance {before} -> {after}");
    }
}

using ClusterTrainer.Training.Models;
using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Tests.Models;

[Collection(GlobalGeneratorCollection.Name)]
public sealed class ModelZooTests
{
    [Theory]
    [InlineData("seed-cnn", new long[] { 2, 1, 28, 28 }, new long[] { 2, 10 })]
    [InlineData("xor-mlp", new long[] { 2, 2 }, new long[] { 2, 1 })]
    [InlineData("lstm-predictor", new long[] { 2, 5, 1 }, new long[] { 2, 1 })]
    [InlineData("gru-predictor", new long[] { 2, 5, 1 }, new long[] { 2, 1 })]
    [InlineData("autoencoder", new long[] { 2, 1, 28, 28 }, new long[] { 2, 784 })]
    [InlineData("gan", new long[] { 2, 32 }, new long[] { 2, 784 })]
    [InlineData("transformer-classifier", new long[] { 2, 1, 28, 28 }, new long[] { 2, 10 })]
    public void Every_registered_model_maps_its_documented_input_to_its_output(string name, long[] input, long[] expected)
    {
        using var model = ModelZoo.Create(name);
        model.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var y = model.call(randn(input));
        Assert.Equal(expected, y.shape);
    }

    [Fact]
    public void Unknown_names_list_the_zoo()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelZoo.Create("resnet"));
        Assert.Contains("seed-cnn", e.Message);
        Assert.Contains("xor-mlp", e.Message);
        Assert.Equal(ModelZoo.Names.Count(), ModelZoo.Names.Distinct().Count());
    }
}

using ClusterTrainer.Torch;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Models;

/// <summary>
/// The models a run spec can name ("seed-cnn", "xor-mlp", ...). Each entry builds a fresh model with
/// its default sizes; the input each expects is in its description.
/// </summary>
public static class ModelZoo
{
    public sealed record Entry(string Name, string Description, Func<nn.Module<Tensor, Tensor>> Create);

    private static readonly Entry[] Entries =
    [
        new("seed-cnn", "seed CNN for 28x28 grey images, [N,1,28,28] -> 10 logits", () => new SeedCnn()),
        new("mlp-classifier", "dropout-free MLP for 28x28 grey images, [N,1,28,28] -> 10 logits", () => new MlpClassifier()),
        new("xor-mlp", "XOR multilayer perceptron, [N,2] -> 1 logit", () => new XorMlp()),
        new("lstm-predictor", "LSTM one-step-ahead series predictor, [N,T,1] -> [N,1]", () => new SequencePredictor(RecurrentCell.Lstm)),
        new("gru-predictor", "GRU one-step-ahead series predictor, [N,T,1] -> [N,1]", () => new SequencePredictor(RecurrentCell.Gru)),
        new("autoencoder", "dense autoencoder for 28x28 images, [N,1,28,28] -> [N,784]", () => new Autoencoder()),
        new("gan", "small dense GAN for 28x28 images; forward runs the generator, [N,32] noise -> [N,784]", () => new Gan()),
        new("transformer-classifier", "Transformer encoder over image rows, [N,1,28,28] -> 10 logits", () => new TransformerClassifier()),
    ];

    public static IReadOnlyList<Entry> All => Entries;

    public static IEnumerable<string> Names => Entries.Select(e => e.Name);

    /// <summary>Builds the named model; an unknown name lists the known ones.</summary>
    public static nn.Module<Tensor, Tensor> Create(string name)
    {
        var entry = Entries.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"unknown model '{name}'; the model zoo has: {string.Join(", ", Names)}.", nameof(name));
        return entry.Create();
    }
}

using ClusterTrainer.Torch.Data;
using ClusterTrainer.Training.Models;
using Xunit;
using Xunit.Abstractions;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Tests.Models;

[Collection(GlobalGeneratorCollection.Name)]
public sealed class SequencePredictorTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(RecurrentCell.Lstm)]
    [InlineData(RecurrentCell.Gru)]
    public void Beats_the_naive_last_value_baseline_on_a_noisy_sine(RecurrentCell cell)
    {
        manual_seed(7);
        const int window = 20;
        var series = SequencePredictor.NoisySine(800, period: 25, noise: 0.05, seed: 11);
        var train = CsvSeries.Windows(series[..600], features: 1, window);
        var test = CsvSeries.Windows(series[600..], features: 1, window);

        using var model = new SequencePredictor(cell, features: 1, hidden: 24);
        using var optimizer = optim.Adam(model.parameters(), lr: 0.01);
        var loader = new DataLoader(train, 32, shuffle: true, seed: 5);
        for (int epoch = 0; epoch < 12; epoch++)
            foreach (var (x, y) in loader.Epoch(epoch))
                using (NewDisposeScope())
                {
                    using (x) using (y)
                    {
                        optimizer.zero_grad();
                        var loss = nn.functional.mse_loss(model.call(x), y);
                        loss.backward();
                        optimizer.step();
                    }
                }

        model.eval();
        double modelMse, naiveMse = 0;
        using (no_grad())
        using (NewDisposeScope())
        {
            var (x, y) = new DataLoader(test, test.Count).Epoch(0).Single();
            modelMse = nn.functional.mse_loss(model.call(x), y).item<float>();
        }
        for (int i = 0; i < test.Count; i++)
        {
            double last = test.Inputs[i * window + window - 1], target = test.Values![i];
            naiveMse += (last - target) * (last - target) / test.Count;
        }
        output.WriteLine($"{cell}: model MSE {modelMse:0.00000}, last-value baseline MSE {naiveMse:0.00000}");
        Assert.True(modelMse < 0.5 * naiveMse, $"{cell} MSE {modelMse} should be under half the naive baseline's {naiveMse}");
    }
}

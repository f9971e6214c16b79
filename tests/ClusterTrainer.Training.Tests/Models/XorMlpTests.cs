using ClusterTrainer.Training.Models;
using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Tests.Models;

[Collection(GlobalGeneratorCollection.Name)]
public sealed class XorMlpTests
{
    [Fact]
    public void Learns_xor_all_four_outputs_on_the_right_side()
    {
        manual_seed(3);
        using var model = new XorMlp(hidden: 8);
        using var optimizer = optim.Adam(model.parameters(), lr: 0.05);
        var (x, y) = XorMlp.TruthTable();
        using (x)
        using (y)
        {
            for (int step = 0; step < 500; step++)
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                var loss = nn.functional.binary_cross_entropy_with_logits(model.call(x), y);
                loss.backward();
                optimizer.step();
            }
            using var _ = no_grad();
            using var logits = model.call(x);
            var values = logits.ToArray<float>();
            var expected = y.ToArray<float>();
            for (int i = 0; i < 4; i++)
                Assert.True(expected[i] == 1 ? values[i] > 0 : values[i] < 0,
                    $"XOR case {i}: logit {values[i]} is on the wrong side for target {expected[i]} (all logits: {string.Join(", ", values)})");
        }
    }
}

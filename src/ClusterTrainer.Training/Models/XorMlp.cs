using ClusterTrainer.Torch;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Models;

/// <summary>
/// The XOR multilayer perceptron: Linear(2, hidden) + Tanh, Linear(hidden, 1). Input [N, 2] in {0, 1},
/// output [N, 1] logits (train with BCEWithLogits; positive logit = XOR is 1).
/// </summary>
public sealed class XorMlp : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> fc1;
    private readonly nn.Module<Tensor, Tensor> fc2;

    public XorMlp(int hidden = 8) : base(nameof(XorMlp))
    {
        fc1 = nn.Linear(2, hidden);
        fc2 = nn.Linear(hidden, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var h = fc1.call(input);
        using var a = nn.functional.tanh(h);
        return fc2.call(a);
    }

    /// <summary>The four XOR cases: inputs [4, 2] and targets [4, 1].</summary>
    public static (Tensor Inputs, Tensor Targets) TruthTable() =>
        (tensor(new float[] { 0, 0, 0, 1, 1, 0, 1, 1 }, new long[] { 4, 2 }), tensor(new float[] { 0, 1, 1, 0 }, new long[] { 4, 1 }));
}

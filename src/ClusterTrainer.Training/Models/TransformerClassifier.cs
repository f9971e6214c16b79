using ClusterTrainer.Torch;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Models;

/// <summary>
/// Transformer-encoder classifier that reads a 28×28 image as a sequence of 28 rows: each row is
/// projected to <c>dModel</c>, a learned position embedding is added, one TransformerEncoderLayer
/// (batch first) mixes the rows, the sequence is mean-pooled and a Linear layer gives 10 logits.
/// Input [N, 1, 28, 28] or [N, 28, 28]; output [N, classes].
/// </summary>
public sealed class TransformerClassifier : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> embed;
    private readonly Tensor position;
    private readonly nn.Module<Tensor, Tensor> encoder;
    private readonly nn.Module<Tensor, Tensor> head;
    private readonly int _rows, _rowSize;

    public TransformerClassifier(int rows = 28, int rowSize = 28, int dModel = 32, int heads = 4, int feedForward = 64, int classes = 10)
        : base(nameof(TransformerClassifier))
    {
        _rows = rows;
        _rowSize = rowSize;
        embed = nn.Linear(rowSize, dModel);
        using (no_grad()) position = (randn([rows, dModel]) * 0.02).requires_grad_();
        encoder = nn.TransformerEncoderLayer(dModel, heads, feedForward, dropout: 0.1, batch_first: true);
        head = nn.Linear(dModel, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        using var rows = input.reshape(-1, _rows, _rowSize);
        using var e = embed.call(rows);
        using var x = e + position;
        using var h = encoder.call(x);
        using var pooled = h.mean([1]);
        return head.call(pooled);
    }
}

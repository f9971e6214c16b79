using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Modules;

/// <summary>Runs its modules in order, feeding each one's output to the next. Unnamed modules are registered as
/// "0", "1", ... so state_dict keys match PyTorch's nn.Sequential ("0.weight", "3.bias").
/// Intermediate outputs are disposed as soon as the next module has consumed them (autograd keeps what it needs).</summary>
public sealed class Sequential : nn.Module<Tensor, Tensor>
{
    private readonly List<nn.Module<Tensor, Tensor>> _layers = new();

    public Sequential(params nn.Module<Tensor, Tensor>[] modules) : base(nameof(Sequential))
    {
        foreach (var m in modules) append(m);
    }

    public Sequential(params (string name, nn.Module<Tensor, Tensor> module)[] modules) : base(nameof(Sequential))
    {
        foreach (var (n, m) in modules)
        {
            register_module(n, m);
            _layers.Add(m);
        }
    }

    public int Count => _layers.Count;

    public nn.Module<Tensor, Tensor> this[int index] => _layers[index];

    public Sequential append(nn.Module<Tensor, Tensor> module)
    {
        register_module(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        _layers.Add(module);
        return this;
    }

    public override Tensor forward(Tensor input)
    {
        var x = input;
        foreach (var layer in _layers)
        {
            var y = layer.forward(x);
            if (!ReferenceEquals(x, input) && !ReferenceEquals(x, y)) x.Dispose();
            x = y;
        }
        return x;
    }
}

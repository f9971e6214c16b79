using System.Collections;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Modules;

/// <summary>Holds submodules in a list, registered as "0", "1", ... (PyTorch's nn.ModuleList); it has no forward:
/// the owning module decides how to call them.</summary>
public sealed class ModuleList<T> : nn.Module, IReadOnlyList<T> where T : nn.Module
{
    private readonly List<T> _items = new();

    public ModuleList(params T[] modules) : base("ModuleList")
    {
        foreach (var m in modules) append(m);
    }

    public ModuleList<T> append(T module)
    {
        register_module(_items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        _items.Add(module);
        return this;
    }

    public T this[int index] => _items[index];

    public int Count => _items.Count;

    public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>Returns its input unchanged (a placeholder layer, as nn.Identity); the result is a new handle to the
/// same tensor, so callers may dispose input and output independently.</summary>
public sealed class Identity() : nn.Module<Tensor, Tensor>(nameof(Identity))
{
    public override Tensor forward(Tensor input) => input.alias();
}

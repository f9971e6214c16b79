using static ClusterTrainer.Torch.torch;
using static ClusterTrainer.Torch.NNInterop;

namespace ClusterTrainer.Torch;

/// <summary>
/// All of a module's parameters in one contiguous float32 buffer, and all their gradients in another, without
/// per-parameter copies: every parameter is re-pointed (set_data) at a view of <see cref="Values"/> and every
/// parameter's .grad is a view of <see cref="Gradients"/>. The parameter servers and the wire protocol read and
/// write the whole model through <see cref="ValuesSpan"/> and <see cref="GradientsSpan"/>.
/// Layout follows <see cref="torch.nn.Module.named_parameters"/>; <see cref="Slots"/> gives each name's offset and length.
///
/// Rules that keep the views alive: zero gradients with <see cref="torch.nn.Module.zero_grad"/> (in place, never
/// set them to null), update parameters in place (optimizers do), and do not move the module to another device or
/// dtype afterwards (that re-points the parameters away from the buffer). Disposing this object releases the
/// buffer handles only; the parameters keep the storage alive.
/// </summary>
public sealed unsafe class FlatParameters : IDisposable
{
    /// <summary>Where one parameter lives in the flat buffers (offset and length in float elements).</summary>
    public sealed record Slot(string Name, long Offset, long Length, long[] Shape);

    private readonly Dictionary<string, Slot> _byName;
    private readonly float* _values;     // the buffers are ours and never move or resize: cache their addresses
    private readonly float* _gradients;

    /// <summary>The flat parameter buffer (1-D float32, length <see cref="Count"/>).</summary>
    public Tensor Values { get; }

    /// <summary>The flat gradient buffer (1-D float32, length <see cref="Count"/>); backward accumulates into it.</summary>
    public Tensor Gradients { get; }

    public IReadOnlyList<Slot> Slots { get; }

    public long Count { get; }

    private FlatParameters(Tensor values, Tensor gradients, IReadOnlyList<Slot> slots, long count)
    {
        Values = values;
        Gradients = gradients;
        Slots = slots;
        Count = count;
        _byName = slots.ToDictionary(s => s.Name);
        if (count > int.MaxValue) throw new NotSupportedException($"{count} parameters exceed what one Span can address; shard the model.");
        _values = (float*)values.data_ptr();
        _gradients = (float*)gradients.data_ptr();
    }

    /// <summary>Flattens <paramref name="module"/>'s parameters (CPU, float32). Current values are kept and
    /// gradients start at zero.</summary>
    public static FlatParameters Create(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var named = module.named_parameters().ToList();
        if (named.Count == 0) throw new ArgumentException($"{module.name} has no parameters to flatten.", nameof(module));
        var handles = named.Select(p => H(p.parameter)).ToArray();
        var offsets = new long[named.Count];
        IntPtr flat, grad;
        fixed (IntPtr* hs = handles)
        fixed (long* os = offsets)
        {
            Check(NativeMethods.ct_nn_flatten_parameters(hs, handles.Length, os, &flat, &grad));
        }
        GC.KeepAlive(named);
        var values = W(flat);
        var gradients = W(grad);
        Persist(values);
        Persist(gradients);
        var slots = new List<Slot>(named.Count);
        long total = 0;
        for (int i = 0; i < named.Count; i++)
        {
            var shape = named[i].parameter.shape;
            long length = shape.Aggregate(1L, (a, b) => a * b);
            slots.Add(new Slot(named[i].name, offsets[i], length, shape));
            total = offsets[i] + length;
        }
        return new FlatParameters(values, gradients, slots, total);
    }

    /// <summary>The slot of parameter <paramref name="name"/> (dotted, as named_parameters gives it).</summary>
    public Slot this[string name] => _byName.TryGetValue(name, out var s)
        ? s
        : throw new KeyNotFoundException($"No parameter named '{name}' in the flat buffer; known names: {string.Join(", ", _byName.Keys)}.");

    /// <summary>All parameter values, writable in place (zero-copy over native memory).</summary>
    public Span<float> ValuesSpan => new(Live(_values), (int)Count);

    /// <summary>All gradients, writable in place (zero-copy over native memory).</summary>
    public Span<float> GradientsSpan => new(Live(_gradients), (int)Count);

    /// <summary>One parameter's values inside <see cref="ValuesSpan"/>.</summary>
    public Span<float> ValuesOf(string name)
    {
        var s = this[name];
        return ValuesSpan.Slice(checked((int)s.Offset), checked((int)s.Length));
    }

    /// <summary>One parameter's gradient inside <see cref="GradientsSpan"/>.</summary>
    public Span<float> GradientsOf(string name)
    {
        var s = this[name];
        return GradientsSpan.Slice(checked((int)s.Offset), checked((int)s.Length));
    }

    private float* Live(float* p) => Values.IsDisposed || Gradients.IsDisposed
        ? throw new ObjectDisposedException(nameof(FlatParameters), "the flat buffers were disposed; create a new FlatParameters for the module")
        : p;

    public void Dispose()
    {
        Values.Dispose();
        Gradients.Dispose();
    }
}

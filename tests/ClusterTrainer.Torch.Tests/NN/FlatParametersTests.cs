using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.NN;

public sealed class FlatParametersTests
{
    private static nn.Module<Tensor, Tensor> Model() => nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2));

    [Fact]
    public void Layout_follows_named_parameters_and_keeps_values()
    {
        using var model = Model();
        var before = model.named_parameters().Select(p => (p.name, values: p.parameter.detach().contiguous().ToArray<float>())).ToList();
        using var flat = FlatParameters.Create(model);
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], flat.Slots.Select(s => s.Name).ToArray());
        Assert.Equal([0L, 12, 15, 21], flat.Slots.Select(s => s.Offset).ToArray());
        Assert.Equal(23, flat.Count);
        foreach (var (name, values) in before) Assert.Equal(values, flat.ValuesOf(name).ToArray());
    }

    [Fact]
    public void Writing_the_flat_span_changes_the_module_output()
    {
        using var model = Model();
        using var flat = FlatParameters.Create(model);
        using var x = randn(5, 4);
        flat.ValuesSpan.Clear();
        flat.ValuesOf("2.bias")[0] = 1.5f;
        flat.ValuesOf("2.bias")[1] = -2f;
        using (var y = model.call(x))
            Assert.Equal(Enumerable.Range(0, 5).SelectMany(_ => new[] { 1.5f, -2f }).ToArray(), y.detach().ToArray<float>());
        var weight = model.named_parameters().First(p => p.name == "0.weight").parameter;
        flat.ValuesOf("0.weight")[7] = 42f;
        Assert.Equal(42f, weight.detach().contiguous().ToArray<float>()[7]);
    }

    [Fact]
    public void Backward_fills_the_flat_gradient_span_and_zero_grad_clears_it()
    {
        using var model = Model();
        using var flat = FlatParameters.Create(model);
        using var x = randn(5, 4);
        using (var y = model.call(x))
        using (var s = y.sum())
            s.backward();
        var grads = flat.GradientsSpan.ToArray();
        Assert.Contains(grads, g => g != 0f);
        foreach (var (name, p) in model.named_parameters())
        {
            using var g = p.grad!;
            Assert.Equal(g.contiguous().ToArray<float>(), flat.GradientsOf(name).ToArray());
        }
        // The gradient of the last bias is the number of rows (sum over the batch of ones).
        Assert.Equal([5f, 5f], flat.GradientsOf("2.bias").ToArray());

        using (var y = model.call(x))
        using (var s = y.sum())
            s.backward();
        Assert.Equal([10f, 10f], flat.GradientsOf("2.bias").ToArray()); // accumulates in place

        model.zero_grad();
        Assert.All(flat.GradientsSpan.ToArray(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void Load_state_dict_writes_through_to_the_flat_buffer()
    {
        using var model = Model();
        using var other = Model();
        using var flat = FlatParameters.Create(model);
        model.load_state_dict(other.state_dict());
        var expected = other.named_parameters().SelectMany(p => p.parameter.detach().contiguous().ToArray<float>()).ToArray();
        Assert.Equal(expected, flat.ValuesSpan.ToArray());
    }

    [Fact]
    public void Unknown_names_and_non_float_models_are_refused_clearly()
    {
        using var model = Model();
        using var flat = FlatParameters.Create(model);
        var e = Assert.Throws<KeyNotFoundException>(() => flat["3.weight"]);
        Assert.Contains("0.weight", e.Message);
        using var dbl = nn.Linear(2, 2);
        dbl.to(ScalarType.Float64);
        var te = Assert.Throws<TorchException>(() => FlatParameters.Create(dbl));
        Assert.Contains("float32", te.Message);
    }

    [Fact]
    public void Spans_of_a_disposed_flat_buffer_are_refused()
    {
        using var model = Model();
        var flat = FlatParameters.Create(model);
        flat.Dispose();
        Assert.Throws<ObjectDisposedException>(() => flat.ValuesSpan.Length);
        Assert.Throws<ObjectDisposedException>(() => flat.GradientsSpan.Length);
        using var x = randn(2, 4);
        using var y = model.call(x); // the parameters keep the storage alive
        Assert.Equal([2L, 2], y.shape);
    }
}

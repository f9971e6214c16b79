using ClusterTrainer.Torch.Modules;
using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.NN;

public sealed class ModuleTests
{
    /// <summary>A user model as a C# user writes it: fields plus RegisterComponents.</summary>
    private sealed class Net : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d _conv = nn.Conv2d(1, 2, 3);
        private readonly BatchNorm2d bn = nn.BatchNorm2d(2);
        private readonly Sequential head = nn.Sequential(nn.Flatten(), nn.Linear(8, 3), nn.ReLU(), nn.Linear(3, 2));
        private readonly Tensor scale = nn.Parameter(ones(2));
        private readonly Tensor offset = zeros(2);

        public Net() : base(nameof(Net)) => RegisterComponents();

        public override Tensor forward(Tensor input)
        {
            using var c = _conv.forward(input);
            using var b = bn.forward(c);
            using var p = nn.functional.max_pool2d(b, [2, 2]);
            using var h = head.forward(p);
            using var s = h * scale;
            return s + offset;
        }
    }

    [Fact]
    public void RegisterComponents_names_follow_pytorch_and_field_order()
    {
        using var net = new Net();
        // Own parameters first, then each submodule's (pre-order), as PyTorch's named_parameters.
        Assert.Equal(
            ["scale", "conv.weight", "conv.bias", "bn.weight", "bn.bias", "head.1.weight", "head.1.bias", "head.3.weight", "head.3.bias"],
            net.named_parameters().Select(p => p.name).ToArray());
        Assert.Equal(["offset", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"], net.named_buffers().Select(b => b.name).ToArray());
        Assert.Equal(["", "conv", "bn", "head", "head.0", "head.1", "head.2", "head.3"], net.named_modules().Select(m => m.name).ToArray());
        Assert.Equal(["conv", "bn", "head"], net.named_children().Select(c => c.name).ToArray());
    }

    [Fact]
    public void State_dict_orders_each_module_params_then_buffers_then_children()
    {
        using var net = new Net();
        Assert.Equal(
            ["scale", "offset", "conv.weight", "conv.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked",
             "head.1.weight", "head.1.bias", "head.3.weight", "head.3.bias"],
            net.state_dict().Keys.ToArray());
        using var x = randn(4, 1, 6, 6);
        using var y = net.call(x);
        Assert.Equal([4L, 2], y.shape);
    }

    [Fact]
    public void Train_and_eval_reach_every_descendant()
    {
        using var net = new Net();
        Assert.All(net.modules(), m => Assert.True(m.training));
        net.eval();
        Assert.All(net.modules(), m => Assert.False(m.training));
        net.train();
        Assert.All(net.modules(), m => Assert.True(m.training));
    }

    [Fact]
    public void Load_state_dict_round_trips_between_two_models()
    {
        using var a = new Net();
        using var b = new Net();
        b.load_state_dict(a.state_dict());
        foreach (var ((na, ta), (nb, tb)) in a.state_dict().Zip(b.state_dict()))
        {
            Assert.Equal(na, nb);
            using var eq = ta.eq(tb);
            using var all = eq.all();
            Assert.True(all.item<bool>(), $"{na} differs after load_state_dict");
        }
    }

    [Fact]
    public void Strict_load_names_missing_unexpected_and_mismatched_keys()
    {
        using var net = nn.Linear(3, 2);
        using var w = zeros(2, 4);
        using var extra = zeros(1);
        var bad = new Dictionary<string, Tensor> { ["weight"] = w, ["gamma"] = extra };
        var e = Assert.Throws<ArgumentException>(() => net.load_state_dict(bad));
        Assert.Contains("Missing key(s) in state_dict: \"bias\"", e.Message);
        Assert.Contains("Unexpected key(s) in state_dict: \"gamma\"", e.Message);
        Assert.Contains("size mismatch for weight: copying a param with shape [2, 4] from checkpoint, the shape in current model is [2, 3]", e.Message);
    }

    [Fact]
    public void Non_strict_load_reports_what_did_not_match_and_loads_the_rest()
    {
        using var net = nn.Linear(3, 2);
        using var w = ones(2, 3);
        using var extra = zeros(1);
        var (missing, unexpected) = net.load_state_dict(new Dictionary<string, Tensor> { ["weight"] = w, ["gamma"] = extra }, strict: false);
        Assert.Equal(["bias"], missing);
        Assert.Equal(["gamma"], unexpected);
        using var sum = net.weight.sum();
        Assert.Equal(6f, sum.item<float>());
    }

    [Fact]
    public void Registration_rejects_bad_and_conflicting_names()
    {
        using var net = nn.Linear(2, 2);
        using var t = zeros(1);
        Assert.Throws<ArgumentException>(() => net.register_buffer("a.b", t));
        Assert.Throws<ArgumentException>(() => net.register_buffer("", t));
        var e = Assert.Throws<ArgumentException>(() => net.register_buffer("weight", t));
        Assert.Contains("already registered", e.Message);
    }

    [Fact]
    public void Zero_grad_zeroes_gradients_in_place()
    {
        using var net = nn.Linear(3, 2);
        using var x = randn(5, 3);
        using (var y = net.call(x))
        using (var s = y.sum())
            s.backward();
        using var before = net.weight.grad!;
        net.zero_grad();
        using var after = net.weight.grad!;
        using var sum = after.abs().sum();
        Assert.Equal(0f, sum.item<float>());
        Assert.Equal(before.data_ptr(), after.data_ptr());
    }

    [Fact]
    public void To_dtype_keeps_the_same_parameter_objects()
    {
        using var net = nn.Linear(3, 2);
        var weight = net.weight;
        net.to(ScalarType.Float64);
        Assert.Same(weight, net.parameters().First());
        Assert.Equal(ScalarType.Float64, weight.dtype);
        Assert.True(weight.requires_grad);
        using var x = randn([4, 3], ScalarType.Float64);
        using var y = net.call(x);
        Assert.Equal(ScalarType.Float64, y.dtype);
    }

    [Fact]
    public void Bad_construction_arguments_say_what_to_fix()
    {
        var e = Assert.Throws<ArgumentException>(() => nn.Conv2d(3, 4, 3, groups: 2));
        Assert.Contains("in_channels (3) must be divisible by groups (2)", e.Message);
        Assert.Throws<ArgumentException>(() => nn.MultiheadAttention(10, 3));
        Assert.Throws<ArgumentException>(() => nn.RNN(3, 4, nonlinearity: "sigmoid"));
        Assert.Throws<ArgumentOutOfRangeException>(() => nn.Dropout(1.5));
        Assert.Throws<ArgumentException>(() => nn.MSELoss(nn.Reduction.BatchMean));
    }

    [Fact]
    public void Shape_errors_from_libtorch_surface_as_TorchException_with_the_shapes()
    {
        using var net = nn.Linear(3, 2);
        using var x = randn(4, 5);
        var e = Assert.Throws<TorchException>(() => net.call(x));
        Assert.Contains("4x5", e.Message);
        using var bn = nn.BatchNorm2d(2);
        using var flat = randn(4, 2);
        Assert.Contains("expected 4-D input", Assert.Throws<ArgumentException>(() => bn.call(flat)).Message);
        using var emb = nn.Embedding(5, 2);
        using var floatIndices = randn(3);
        Assert.Contains("int64", Assert.Throws<TorchException>(() => emb.call(floatIndices)).Message);
        using var lstm = nn.LSTM(3, 4);
        using var wrongWidth = randn(5, 2, 7);
        Assert.Contains("input_size (3)", Assert.Throws<ArgumentException>(() => lstm.call(wrongWidth)).Message);
        using var conv = nn.Conv2d(2, 2, 3, padding: "same");
        Assert.Throws<ArgumentException>(() => nn.Conv2d(2, 2, [3, 3], padding: "same", stride: [2, 2]));
        Assert.Throws<ArgumentException>(() => nn.Conv2d(2, 2, 3, padding: "full"));
    }

    [Fact]
    public void Depthwise_separable_convolution_composes_groups_and_pointwise()
    {
        using var net = nn.Sequential(nn.Conv2d(4, 4, 3, padding: 1, groups: 4), nn.Conv2d(4, 8, 1));
        Assert.Equal([4L, 1, 3, 3], ((Conv2d)net[0]).weight.shape);
        using var x = randn(2, 4, 5, 5);
        using var y = net.call(x);
        Assert.Equal([2L, 8, 5, 5], y.shape);
    }

    [Fact]
    public void Batchnorm_eval_uses_running_statistics_and_does_not_update_them()
    {
        using var bn = nn.BatchNorm1d(3);
        using var x = randn(8, 3) * 3 + 1;
        using (var y = bn.call(x)) { }
        Assert.Equal(1L, bn.num_batches_tracked!.item<long>());
        using var meanAfterTrain = bn.running_mean!.clone();
        bn.eval();
        using (var y = bn.call(x)) { }
        Assert.Equal(1L, bn.num_batches_tracked!.item<long>());
        using var eq = meanAfterTrain.eq(bn.running_mean!);
        using var all = eq.all();
        Assert.True(all.item<bool>());
    }

    private sealed class Tower : nn.Module<Tensor, Tensor>
    {
        private readonly ModuleList<Linear> layers = nn.ModuleList(nn.Linear(3, 3), nn.Linear(3, 3));
        private readonly Identity skip = nn.Identity();

        public Tower() : base(nameof(Tower)) => RegisterComponents();

        public override Tensor forward(Tensor input)
        {
            var x = skip.forward(input);
            foreach (var layer in layers)
            {
                var y = layer.forward(x);
                x.Dispose();
                x = y;
            }
            return x;
        }
    }

    [Fact]
    public void ModuleList_registers_indexed_children_and_Identity_aliases_its_input()
    {
        using var tower = new Tower();
        Assert.Equal(["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"], tower.named_parameters().Select(p => p.name).ToArray());
        using var x = randn(2, 3);
        using var y = tower.call(x);
        Assert.False(x.IsDisposed);
        Assert.Equal([2L, 3], y.shape);
    }

    [Fact]
    public void ToString_prints_the_module_tree_as_pytorch_does()
    {
        // Expected text is Python's print(model) for the same modules (torch 1.13).
        using var cnn = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(5408, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10));
        Assert.Equal(
            "Sequential(\n" +
            "  (0): Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1))\n" +
            "  (1): ReLU()\n" +
            "  (2): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)\n" +
            "  (3): Flatten(start_dim=1, end_dim=-1)\n" +
            "  (4): Linear(in_features=5408, out_features=128, bias=True)\n" +
            "  (5): ReLU()\n" +
            "  (6): Dropout(p=0.5, inplace=False)\n" +
            "  (7): Linear(in_features=128, out_features=10, bias=True)\n" +
            ")", cnn.ToString());
        using var dw = nn.Conv2d(4, 8, [3, 1], padding: [2, 2], dilation: [2, 2], groups: 4, bias: false);
        Assert.Equal("Conv2d(4, 8, kernel_size=(3, 1), stride=(1, 1), padding=(2, 2), dilation=(2, 2), groups=4, bias=False)", dw.ToString());
    }
}

using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.Golden;

/// <summary>
/// Default initialisation follows PyTorch 1.13's exact sequence: after the same manual_seed, a module built here
/// has bit-identical initial parameters and buffers to the one built in Python, and the generator has made exactly
/// as many draws (the next torch.rand matches too).
/// </summary>
[Trait("Category", "Golden")]
[Collection(GlobalGeneratorCollection.Name)]
public sealed class NNInitGoldenTests
{
    private static readonly Dictionary<string, Func<nn.Module>> Ctors = new()
    {
        ["Linear"] = () => nn.Linear(7, 5),
        ["Linear_nobias"] = () => nn.Linear(3, 4, bias: false),
        ["Conv1d"] = () => nn.Conv1d(2, 3, 4),
        ["Conv2d"] = () => nn.Conv2d(3, 4, 3),
        ["Conv2d_groups"] = () => nn.Conv2d(4, 8, 3, groups: 4),
        ["Conv3d"] = () => nn.Conv3d(2, 2, 2),
        ["BatchNorm1d"] = () => nn.BatchNorm1d(3),
        ["BatchNorm2d"] = () => nn.BatchNorm2d(3),
        ["LayerNorm"] = () => nn.LayerNorm(4),
        ["Embedding"] = () => nn.Embedding(5, 3),
        ["Embedding_padding"] = () => nn.Embedding(5, 3, padding_idx: 2),
        ["RNN"] = () => nn.RNN(3, 4, num_layers: 2),
        ["LSTM"] = () => nn.LSTM(3, 4, bidirectional: true),
        ["GRU"] = () => nn.GRU(3, 4),
        ["MultiheadAttention"] = () => nn.MultiheadAttention(8, 2),
        ["TransformerEncoderLayer"] = () => nn.TransformerEncoderLayer(8, 2, dim_feedforward: 16),
        ["Sequential_cnn"] = () => nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8, 3)),
        ["init.uniform_"] = () => new InitProbe(t => nn.init.uniform_(t, -0.3, 0.7)),
        ["init.normal_"] = () => new InitProbe(t => nn.init.normal_(t, 0.5, 2.0)),
        ["init.kaiming_uniform_relu_fan_out"] = () => new InitProbe(t => nn.init.kaiming_uniform_(t, mode: "fan_out", nonlinearity: "relu")),
        ["init.kaiming_normal_"] = () => new InitProbe(t => nn.init.kaiming_normal_(t)),
        ["init.xavier_uniform_tanh_gain"] = () => new InitProbe(t => nn.init.xavier_uniform_(t, gain: nn.init.calculate_gain("tanh"))),
        ["init.xavier_normal_"] = () => new InitProbe(t => nn.init.xavier_normal_(t)),
    };

    /// <summary>One (4, 3, 2) parameter initialised by an nn.init function (as _InitProbe in the Python script).</summary>
    private sealed class InitProbe : nn.Module
    {
        public InitProbe(Func<Tensor, Tensor> init) : base(nameof(InitProbe))
        {
            using var data = empty(4, 3, 2);
            var weight = nn.Parameter(data);
            register_parameter("weight", weight);
            init(weight);
        }
    }

    public static IEnumerable<object[]> Cases() => NNFixtures.Names("init");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Default_init_is_bit_identical_to_pytorch(string name)
    {
        var c = NNFixtures.Load("init")[name];
        Assert.True(Ctors.TryGetValue(name, out var ctor), $"no C# constructor for init case {name}");
        using var scope = NewDisposeScope();
        manual_seed(c.Seed);
        using var module = ctor!();
        var next = rand(3);
        var state = module.state_dict();
        Assert.Equal(c.State.Keys, state.Keys);
        foreach (var (key, expected) in c.State) NNFixtures.AssertClose(expected, state[key], $"{name} {key}", rtol: 0, atol: 0);
        NNFixtures.AssertClose(c.RandAfter!, next, $"{name} torch.rand after construction", rtol: 0, atol: 0);
    }
}

using Xunit;
using ClusterTrainer.Torch.Modules;
using static ClusterTrainer.Torch.torch;
using Reduction = ClusterTrainer.Torch.torch.nn.Reduction;

namespace ClusterTrainer.Torch.Tests.Golden;

/// <summary>
/// Every module, activation and loss against PyTorch 1.13 (fixtures/nn/*.json from make_nn_fixtures.py): load the
/// fixture's state_dict, run forward with the fixture's seed, compare outputs; backpropagate sum(out * upstream) and
/// compare the input gradients, every parameter gradient and the buffers afterwards (BatchNorm running statistics).
/// </summary>
[Trait("Category", "Golden")]
[Collection(GlobalGeneratorCollection.Name)]
public sealed class NNGoldenTests
{
    /// <summary>How to build the module of a case and run it on the case's inputs.</summary>
    private sealed record Runner(Func<NNFixtureCase, nn.Module> Make, Func<nn.Module, Tensor[], NNFixtureCase, Tensor[]> Forward);

    private static Runner Unary(Func<nn.Module<Tensor, Tensor>> make) =>
        new(_ => make(), (m, x, _) => [((nn.Module<Tensor, Tensor>)m).call(x[0])]);

    private static Runner Binary(Func<NNFixtureCase, nn.Module<Tensor, Tensor, Tensor>> make) =>
        new(make, (m, x, _) => [((nn.Module<Tensor, Tensor, Tensor>)m).call(x[0], x[1])]);

    private static Runner Recurrent(Func<RNNBase> make) => new(_ => make(), (m, x, _) => m switch
    {
        LSTM l when x.Length == 3 => Flatten(l.call(x[0], (x[1], x[2]))),
        LSTM l => Flatten(l.call(x[0])),
        GRU g => Pair(g.call(x[0])),
        RNN r => Pair(r.call(x[0])),
        _ => throw new InvalidOperationException(),
    });

    private static Tensor[] Flatten((Tensor o, (Tensor h, Tensor c) s) r) => [r.o, r.s.h, r.s.c];

    private static Tensor[] Pair((Tensor o, Tensor h) r) => [r.o, r.h];

    private static Tensor? Extra(NNFixtureCase c, string name) => c.Extra.TryGetValue(name, out var t) ? t.ToTensor() : null;

    private static readonly Dictionary<string, Runner> Modules = new()
    {
        ["Linear"] = Unary(() => nn.Linear(5, 3)),
        ["Linear_nobias_3d"] = Unary(() => nn.Linear(4, 2, bias: false)),
        ["Conv1d"] = Unary(() => nn.Conv1d(2, 4, 3, stride: 2, padding: 1)),
        ["Conv2d"] = Unary(() => nn.Conv2d(3, 4, 3, stride: 1, padding: 1)),
        ["Conv2d_depthwise"] = Unary(() => nn.Conv2d(4, 8, 3, padding: 2, dilation: 2, groups: 4)),
        ["Conv2d_pointwise_nobias"] = Unary(() => nn.Conv2d(4, 3, 1, bias: false)),
        ["Conv3d"] = Unary(() => nn.Conv3d(2, 3, [2, 3, 3], stride: [1, 2, 1], padding: [0, 1, 1])),
        ["MaxPool1d"] = Unary(() => nn.MaxPool1d(3, stride: 2, padding: 1)),
        ["MaxPool2d"] = Unary(() => nn.MaxPool2d(2)),
        ["MaxPool2d_ceil"] = Unary(() => nn.MaxPool2d(3, stride: 2, padding: 1, ceil_mode: true)),
        ["AvgPool1d"] = Unary(() => nn.AvgPool1d(3, stride: 2, padding: 1)),
        ["AvgPool2d"] = Unary(() => nn.AvgPool2d(2)),
        ["AvgPool2d_nopad_count"] = Unary(() => nn.AvgPool2d(3, stride: 2, padding: 1, count_include_pad: false)),
        ["Dropout_eval"] = Unary(() => nn.Dropout(0.5)),
        ["Dropout_train"] = Unary(() => nn.Dropout(0.3)),
        ["BatchNorm1d_train"] = Unary(() => nn.BatchNorm1d(3, momentum: 0.2)),
        ["BatchNorm1d_eval_3d"] = Unary(() => nn.BatchNorm1d(3)),
        ["BatchNorm2d_train"] = Unary(() => nn.BatchNorm2d(2)),
        ["BatchNorm2d_eval"] = Unary(() => nn.BatchNorm2d(2)),
        ["LayerNorm"] = Unary(() => nn.LayerNorm([4, 5])),
        ["Embedding"] = Unary(() => nn.Embedding(10, 4)),
        ["Embedding_padding"] = Unary(() => nn.Embedding(6, 3, padding_idx: 0)),
        ["Flatten"] = Unary(() => nn.Flatten()),
        ["Flatten_dims"] = Unary(() => nn.Flatten(0, 1)),
        ["Sequential_cnn"] = Unary(() => nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8, 3), nn.Tanh())),
        ["RNN_tanh"] = Recurrent(() => nn.RNN(3, 4)),
        ["RNN_relu_2layer_batchfirst"] = Recurrent(() => nn.RNN(3, 4, num_layers: 2, nonlinearity: "relu", batch_first: true)),
        ["LSTM"] = Recurrent(() => nn.LSTM(3, 4)),
        ["LSTM_2layer_bidir_batchfirst"] = Recurrent(() => nn.LSTM(3, 4, num_layers: 2, bidirectional: true, batch_first: true)),
        ["LSTM_with_state"] = Recurrent(() => nn.LSTM(3, 4)),
        ["GRU"] = Recurrent(() => nn.GRU(3, 4)),
        ["GRU_2layer_bidir_nobias"] = Recurrent(() => nn.GRU(3, 4, num_layers: 2, bidirectional: true, bias: false)),
        ["MultiheadAttention_self"] = new(_ => nn.MultiheadAttention(8, 2), (m, x, _) =>
        {
            var (o, w) = ((MultiheadAttention)m).call(x[0], x[0], x[0]);
            return [o, w!];
        }),
        ["MultiheadAttention_cross_mask_batchfirst"] = new(_ => nn.MultiheadAttention(8, 4, batch_first: true), (m, x, c) =>
        {
            using var mask = Extra(c, "key_padding_mask");
            var (o, w) = ((MultiheadAttention)m).call(x[0], x[1], x[2], key_padding_mask: mask);
            return [o, w!];
        }),
        ["TransformerEncoderLayer_relu"] = Unary(() => nn.TransformerEncoderLayer(8, 2, dim_feedforward: 16, dropout: 0.0)),
        ["TransformerEncoderLayer_gelu_normfirst_batchfirst"] = Unary(() =>
            nn.TransformerEncoderLayer(8, 4, dim_feedforward: 12, dropout: 0.0, activation: "gelu", norm_first: true, batch_first: true)),
        ["TransformerEncoderLayer_causal_mask"] = new(_ => nn.TransformerEncoderLayer(8, 2, dim_feedforward: 16, dropout: 0.0), (m, x, c) =>
        {
            using var mask = Extra(c, "src_mask");
            return [((TransformerEncoderLayer)m).forward(x[0], mask, null)];
        }),
        ["MultiheadAttention_unbatched_boolmask"] = new(_ => nn.MultiheadAttention(6, 3), (m, x, c) =>
        {
            using var mask = Extra(c, "attn_mask");
            var (o, w) = ((MultiheadAttention)m).call(x[0], x[1], x[1], attn_mask: mask, average_attn_weights: false);
            return [o, w!];
        }),
        ["LSTM_unbatched"] = Recurrent(() => nn.LSTM(3, 4, num_layers: 2)),
        ["GRU_with_state_batchfirst"] = new(_ => nn.GRU(3, 4, batch_first: true), (m, x, _) => Pair(((GRU)m).call(x[0], x[1]))),
        ["Conv1d_same_even_kernel"] = Unary(() => nn.Conv1d(2, 3, 4, padding: "same")),
        ["Conv2d_same_dilated"] = Unary(() => nn.Conv2d(2, 3, [2, 3], padding: "same", dilation: [1, 2])),
        ["TransformerEncoderLayer_dropout_train"] = Unary(() => nn.TransformerEncoderLayer(8, 2, dim_feedforward: 16, dropout: 0.2)),
        ["LSTM_2layer_dropout_train"] = Recurrent(() => nn.LSTM(3, 4, num_layers: 2, dropout: 0.3)),
        ["Conv2d_unbatched_rect"] = Unary(() => nn.Conv2d(2, 3, [2, 3], stride: [2, 1], padding: [1, 0])),
    };

    private static readonly Dictionary<string, Runner> Activations = new()
    {
        ["Sigmoid"] = Unary(nn.Sigmoid),
        ["Tanh"] = Unary(nn.Tanh),
        ["ReLU"] = Unary(nn.ReLU),
        ["LeakyReLU"] = Unary(() => nn.LeakyReLU(0.1)),
        ["ELU"] = Unary(() => nn.ELU(0.7)),
        ["Softsign"] = Unary(nn.Softsign),
        ["Softplus"] = Unary(() => nn.Softplus(beta: 2.0, threshold: 5.0)),
        ["Softmax"] = Unary(() => nn.Softmax(1)),
        ["Softmax_dim0"] = Unary(() => nn.Softmax(0)),
        ["LogSoftmax"] = Unary(() => nn.LogSoftmax(1)),
        ["GELU"] = Unary(() => nn.GELU()),
        ["GELU_tanh"] = Unary(() => nn.GELU("tanh")),
    };

    /// <summary>The same activations through nn.functional.</summary>
    private static readonly Dictionary<string, Func<Tensor, Tensor>> ActivationFunctions = new()
    {
        ["Sigmoid"] = nn.functional.sigmoid,
        ["Tanh"] = nn.functional.tanh,
        ["ReLU"] = nn.functional.relu,
        ["LeakyReLU"] = x => nn.functional.leaky_relu(x, 0.1),
        ["ELU"] = x => nn.functional.elu(x, 0.7),
        ["Softsign"] = nn.functional.softsign,
        ["Softplus"] = x => nn.functional.softplus(x, 2.0, 5.0),
        ["Softmax"] = x => nn.functional.softmax(x, 1),
        ["Softmax_dim0"] = x => nn.functional.softmax(x, 0),
        ["LogSoftmax"] = x => nn.functional.log_softmax(x, 1),
        ["GELU"] = x => nn.functional.gelu(x),
        ["GELU_tanh"] = x => nn.functional.gelu(x, "tanh"),
    };

    private static readonly Dictionary<string, Runner> Losses = new()
    {
        ["MSELoss_mean"] = Binary(_ => nn.MSELoss()),
        ["MSELoss_sum"] = Binary(_ => nn.MSELoss(Reduction.Sum)),
        ["MSELoss_none"] = Binary(_ => nn.MSELoss(Reduction.None)),
        ["L1Loss_mean"] = Binary(_ => nn.L1Loss()),
        ["L1Loss_sum"] = Binary(_ => nn.L1Loss(Reduction.Sum)),
        ["L1Loss_none"] = Binary(_ => nn.L1Loss(Reduction.None)),
        ["HuberLoss"] = Binary(_ => nn.HuberLoss(delta: 0.5)),
        ["SmoothL1Loss"] = Binary(_ => nn.SmoothL1Loss(Reduction.Sum, beta: 0.7)),
        ["CrossEntropyLoss"] = Binary(_ => nn.CrossEntropyLoss()),
        ["CrossEntropyLoss_weight_smooth_ignore"] = Binary(c => nn.CrossEntropyLoss(Extra(c, "weight"), ignore_index: 1, label_smoothing: 0.1)),
        ["CrossEntropyLoss_sum_none"] = Binary(_ => nn.CrossEntropyLoss(reduction: Reduction.None)),
        ["CrossEntropyLoss_probs"] = Binary(_ => nn.CrossEntropyLoss()),
        ["NLLLoss"] = Binary(_ => nn.NLLLoss()),
        ["NLLLoss_weight_ignore_sum"] = Binary(c => nn.NLLLoss(Extra(c, "weight"), ignore_index: 3, reduction: Reduction.Sum)),
        ["BCELoss"] = Binary(_ => nn.BCELoss()),
        ["BCELoss_weight_sum"] = Binary(c => nn.BCELoss(Extra(c, "weight"), Reduction.Sum)),
        ["BCEWithLogitsLoss"] = Binary(_ => nn.BCEWithLogitsLoss()),
        ["BCEWithLogitsLoss_posweight"] = Binary(c => nn.BCEWithLogitsLoss(pos_weight: Extra(c, "pos_weight"))),
        ["KLDivLoss_batchmean"] = Binary(_ => nn.KLDivLoss(Reduction.BatchMean)),
        ["KLDivLoss_logtarget_sum"] = Binary(_ => nn.KLDivLoss(Reduction.Sum, log_target: true)),
        ["KLDivLoss_none"] = Binary(_ => nn.KLDivLoss(Reduction.None)),
        ["HingeEmbeddingLoss"] = Binary(_ => nn.HingeEmbeddingLoss(margin: 0.8)),
        ["MultiMarginLoss"] = Binary(_ => nn.MultiMarginLoss()),
        ["MultiMarginLoss_p2_weight"] = Binary(c => nn.MultiMarginLoss(p: 2, margin: 0.5, weight: Extra(c, "weight"))),
    };

    public static IEnumerable<object[]> ModuleCases() => NNFixtures.Names("modules");
    public static IEnumerable<object[]> ActivationCases() => NNFixtures.Names("activations");
    public static IEnumerable<object[]> LossCases() => NNFixtures.Names("losses");

    [Theory]
    [MemberData(nameof(ModuleCases))]
    public void Module_matches_pytorch(string name) => Check(NNFixtures.Load("modules")[name], Modules);

    [Theory]
    [MemberData(nameof(ActivationCases))]
    public void Activation_module_matches_pytorch(string name) => Check(NNFixtures.Load("activations")[name], Activations);

    [Theory]
    [MemberData(nameof(ActivationCases))]
    public void Activation_function_matches_pytorch(string name)
    {
        var f = ActivationFunctions[name];
        Check(NNFixtures.Load("activations")[name], new() { [name] = new Runner(_ => nn.ReLU(), (_, x, _) => [f(x[0])]) });
    }

    [Theory]
    [MemberData(nameof(LossCases))]
    public void Loss_matches_pytorch(string name) => Check(NNFixtures.Load("losses")[name], Losses);

    private static void Check(NNFixtureCase c, Dictionary<string, Runner> runners)
    {
        Assert.True(runners.TryGetValue(c.Name, out var runner), $"no C# runner for fixture case {c.Name}; add one next to the Python case");
        using var scope = NewDisposeScope();
        using var module = runner.Make(c);
        var state = c.State.ToDictionary(kv => kv.Key, kv => kv.Value.ToTensor());
        module.load_state_dict(state);
        module.train(c.Train);
        var inputs = c.Inputs.Select((t, i) => t!.ToTensor(c.InputRequiresGrad[i])).ToArray();

        manual_seed(c.Seed);
        var outputs = runner.Forward(module, inputs, c);
        Assert.Equal(c.Outputs.Length, outputs.Length);
        for (int i = 0; i < outputs.Length; i++) NNFixtures.AssertClose(c.Outputs[i], outputs[i], $"{c.Name} output {i}");

        Tensor? total = null;
        for (int i = 0; i < outputs.Length; i++)
        {
            if (!outputs[i].requires_grad) continue;
            var term = (outputs[i] * c.Upstream[i].ToTensor()).sum();
            total = total is null ? term : total + term;
        }
        total?.backward();

        for (int i = 0; i < inputs.Length; i++)
        {
            if (c.InputGrads[i] is not { } expected) continue;
            var grad = inputs[i].grad;
            Assert.True(grad is not null, $"{c.Name}: input {i} got no gradient");
            NNFixtures.AssertClose(expected, grad!, $"{c.Name} grad of input {i}");
        }
        var named = module.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (pname, expected) in c.ParamGrads)
        {
            Assert.True(named.TryGetValue(pname, out var p), $"{c.Name}: no parameter named {pname}; have {string.Join(", ", named.Keys)}");
            var grad = p!.grad;
            Assert.True(grad is not null, $"{c.Name}: parameter {pname} got no gradient");
            NNFixtures.AssertClose(expected, grad!, $"{c.Name} grad of {pname}");
        }
        var after = module.state_dict();
        Assert.Equal(c.StateAfter.Keys.Order(), after.Keys.Order());
        foreach (var (key, expected) in c.StateAfter) NNFixtures.AssertClose(expected, after[key], $"{c.Name} {key} after forward");
    }
}

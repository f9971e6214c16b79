using ClusterTrainer.Training.Distributed.ParameterServer;
using ClusterTrainer.Torch;
using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Tests.Distributed;

public sealed class ParameterShardTests
{
    private static readonly ShardSpec Spec3 = new(0, 0, 3);

    private static ParameterShard Shard(ShardPolicy policy, string optimizer = "sgd", double lr = 0.1, double momentum = 0, int workers = 3) =>
        new(Spec3, [1f, 2f, 3f], ShardOptimizer.Spec(optimizer, lr, momentum), policy,
            Enumerable.Range(0, workers).Select(i => $"w{i}"));

    [Fact]
    public void Sync_averages_weighted_by_samples_and_applies_once_all_live_workers_pushed()
    {
        using var shard = Shard(ShardPolicy.Synchronous);
        Assert.Equal(PushOutcome.Accepted, shard.Push("w0", 0, [1f, 0f, 0f], 2));
        Assert.Equal(PushOutcome.Accepted, shard.Push("w1", 0, [0f, 1f, 0f], 1));
        Assert.Equal(0, shard.Version);
        Assert.Equal(PushOutcome.Applied, shard.Push("w2", 0, [0f, 0f, 1f], 1));
        Assert.Equal(1, shard.Version);
        // mean gradient = [2, 1, 1] / 4; SGD lr 0.1
        Assert.Equal([1f - 0.05f, 2f - 0.025f, 3f - 0.025f], shard.Values.ToArray());
    }

    [Fact]
    public void Duplicates_and_old_steps_are_counted_and_never_applied_twice()
    {
        using var shard = Shard(ShardPolicy.Synchronous, workers: 2);
        shard.Push("w0", 0, [1f, 1f, 1f], 1);
        Assert.Equal(PushOutcome.Duplicate, shard.Push("w0", 0, [9f, 9f, 9f], 1));
        Assert.Equal(PushOutcome.Applied, shard.Push("w1", 0, [1f, 1f, 1f], 1));
        var afterStep = shard.Values.ToArray();
        Assert.Equal(PushOutcome.Duplicate, shard.Push("w1", 0, [1f, 1f, 1f], 1)); // redelivered after apply
        shard.Push("w0", 1, [0f, 0f, 0f], 1);
        shard.Push("w1", 1, [0f, 0f, 0f], 1);
        Assert.Equal(PushOutcome.Late, shard.Push("w0", 0, [5f, 5f, 5f], 1));
        Assert.Equal(PushOutcome.Rejected, shard.Push("w0", 7, [5f, 5f, 5f], 1));
        Assert.Equal(PushOutcome.Rejected, shard.Push("stranger", 2, [5f, 5f, 5f], 1));
        Assert.Equal(afterStep, shard.Values.ToArray()); // zero gradient at step 1 leaves plain SGD where it was
        var c = shard.Counters;
        Assert.Equal((2L, 2L, 1L, 2L), (c.Version, c.AppliedSteps, c.LateDrops, c.Rejected));
        Assert.Equal(2, c.Duplicates);
        Assert.Equal(4, c.GradientsTaken);
    }

    [Fact]
    public void A_worker_leaving_mid_step_lets_the_step_complete_with_the_rest()
    {
        using var shard = Shard(ShardPolicy.Synchronous);
        shard.Push("w0", 0, [1f, 1f, 1f], 1);
        shard.Push("w1", 0, [1f, 1f, 1f], 1);
        Assert.True(shard.Leave("w2"));
        Assert.Equal(1, shard.Version);
        Assert.Equal(PushOutcome.Rejected, shard.Push("w2", 1, [1f, 1f, 1f], 1));
        shard.Join("w2");
        Assert.Equal(PushOutcome.Accepted, shard.Push("w2", 1, [1f, 1f, 1f], 1));
    }

    [Fact]
    public void Backup_workers_apply_after_n_minus_k_and_drop_the_late_one()
    {
        using var shard = Shard(ShardPolicy.Backup(1));
        Assert.Equal(PushOutcome.Accepted, shard.Push("w2", 0, [1f, 1f, 1f], 1));
        Assert.Equal(PushOutcome.Applied, shard.Push("w0", 0, [1f, 1f, 1f], 1));
        Assert.Equal(PushOutcome.Late, shard.Push("w1", 0, [1f, 1f, 1f], 1));
        Assert.Equal((1L, 1L), (shard.Counters.AppliedSteps, shard.Counters.LateDrops));
    }

    [Fact]
    public void Downpour_applies_each_push_and_ignores_repeats()
    {
        using var shard = Shard(ShardPolicy.Downpour, workers: 2);
        Assert.Equal(PushOutcome.Applied, shard.Push("w0", 0, [1f, 1f, 1f], 1));
        Assert.Equal(PushOutcome.Applied, shard.Push("w0", 1, [1f, 1f, 1f], 1));
        Assert.Equal(PushOutcome.Duplicate, shard.Push("w0", 1, [1f, 1f, 1f], 1));
        Assert.Equal(PushOutcome.Applied, shard.Push("w1", 0, [1f, 1f, 1f], 1));
        Assert.Equal(3, shard.Version);
        Assert.Equal(1f - 0.3f, shard.Values[0], 5);
    }

    [Fact]
    public void Bounded_staleness_holds_a_worker_more_than_s_ahead_of_the_slowest()
    {
        using var shard = Shard(ShardPolicy.BoundedStaleness(1), workers: 2);
        Assert.True(shard.MayProceed("w0", 0));
        shard.Push("w0", 0, [0f, 0f, 0f], 1);
        Assert.True(shard.MayProceed("w0", 1));   // 1 ahead of w1 (0 done): allowed with s = 1
        shard.Push("w0", 1, [0f, 0f, 0f], 1);
        Assert.False(shard.MayProceed("w0", 2));  // would be 2 ahead
        Assert.Equal(1, shard.Counters.MaxLead);
        shard.Push("w1", 0, [0f, 0f, 0f], 1);
        Assert.True(shard.MayProceed("w0", 2));
        Assert.True(shard.Leave("w1") is false);
        Assert.True(shard.MayProceed("w0", 3));   // the slowest left: only w0 counts
    }

    [Fact]
    public void A_new_learning_rate_applies_from_the_next_step()
    {
        using var shard = Shard(ShardPolicy.Synchronous, workers: 1);
        shard.Push("w0", 0, [1f, 1f, 1f], 1);          // lr 0.1
        shard.SetLearningRate(0.01);
        shard.Push("w0", 1, [1f, 1f, 1f], 1);          // lr 0.01
        Assert.Equal(0.01, shard.LearningRate);
        Assert.Equal(1f - 0.11f, shard.Values[0], 5);
        Assert.Throws<ArgumentOutOfRangeException>(() => shard.SetLearningRate(double.NaN));
    }

    [Fact]
    public void Exported_state_restores_values_optimizer_state_and_version()
    {
        using var a = Shard(ShardPolicy.Synchronous, "adam", lr: 0.01, workers: 1);
        for (int t = 0; t < 3; t++) a.Push("w0", t, [0.5f, -1f, 2f], 1);
        var state = a.ExportState();
        Assert.Equal(3, state.Version);
        Assert.Contains(state.OptimizerState, s => s.Name == "exp_avg");
        using var b = Shard(ShardPolicy.Synchronous, "adam", lr: 0.01, workers: 1);
        b.ImportState(state);
        Assert.Equal(3, b.Version);
        a.Push("w0", 3, [0.1f, 0.2f, -0.3f], 1);
        b.Push("w0", 3, [0.1f, 0.2f, -0.3f], 1);
        Assert.Equal(a.Values.ToArray(), b.Values.ToArray());
        var wrong = state with { ShardIndex = 4 };
        Assert.Contains("same shard layout", Assert.Throws<ArgumentException>(() => b.ImportState(wrong)).Message);
    }

    [Fact]
    public void A_single_worker_push_equals_a_plain_optimizer_step_for_every_optimizer()
    {
        foreach (var name in new[] { "sgd", "adam", "rmsprop", "adagrad", "adamw", "adamax", "nadam", "adadelta" })
        {
            using var shard = Shard(ShardPolicy.Synchronous, name, lr: 0.05, momentum: name == "sgd" ? 0.9 : 0, workers: 1);
            using var p = tensor(new[] { 1f, 2f, 3f });
            using var opt = ShardOptimizer.Create(ShardOptimizer.Spec(name, 0.05, name == "sgd" ? 0.9 : 0), [p]);
            for (int t = 0; t < 4; t++)
            {
                float[] g = [0.3f * (t + 1), -0.2f, 0.1f * t];
                shard.Push("w0", t, g, 5);
                using var gt = tensor(g);
                using (no_grad()) opt.step([gt]);
            }
            Assert.Equal(p.ToArray<float>(), shard.Values.ToArray());
        }
    }

    [Fact]
    public void Steps_with_one_two_and_three_contributors_average_exactly_in_double_in_worker_order_and_keep_nothing_from_the_last_step()
    {
        using var shard = Shard(ShardPolicy.Synchronous, lr: 1.0);
        var expected = new double[] { 1, 2, 3 };
        void Step(long version, params (string Worker, float[] G, int N)[] pushes)
        {
            foreach (var (w, g, n) in pushes) shard.Push(w, version, g, n);
            double total = pushes.Sum(p => p.N);
            for (int i = 0; i < 3; i++)
            {
                double sum = 0; // in worker-id order, whatever order the pushes came in
                foreach (var (_, g, n) in pushes.OrderBy(p => p.Worker, StringComparer.Ordinal)) sum += (double)n * g[i];
                expected[i] = (float)expected[i] - (float)(sum * (1.0 / total)); // SGD lr 1 on the float mean
            }
            Assert.Equal(version + 1, shard.Version);
            Assert.Equal(expected.Select(v => (float)v).ToArray(), shard.Values.ToArray());
        }

        Step(0, ("w0", [0.1f, 1e-8f, -3f], 3), ("w1", [0.7f, 1f, 0.3f], 5), ("w2", [1e7f, -0.2f, 0.9f], 1));
        Step(1, ("w2", [0.3f, 0.3f, 0.3f], 2), ("w0", [1f / 3, -1f / 7, 0f], 7), ("w1", [0.25f, 0.5f, -0.125f], 4));
        Assert.False(shard.Leave("w2")); // nothing pending: no step to complete
        Step(2, ("w1", [0.2f, -0.4f, 0.6f], 1), ("w0", [0.9f, 0.1f, -0.5f], 3));
        Assert.False(shard.Leave("w1"));
        Step(3, ("w0", [0.11f, -0.22f, 0.33f], 6));
    }

    [Fact]
    public void A_step_whose_only_push_has_no_samples_changes_nothing()
    {
        using var shard = Shard(ShardPolicy.Synchronous, workers: 1);
        shard.Push("w0", 0, [0.5f, 0.5f, 0.5f], 4);
        var after = shard.Values.ToArray();
        Assert.Equal(PushOutcome.Applied, shard.Push("w0", 1, [9f, 9f, 9f], 0));
        Assert.Equal(after, shard.Values.ToArray());
    }

    [Fact]
    public void Two_shards_clipping_by_norm_and_value_step_like_clip_grad_on_the_whole_averaged_gradient()
    {
        var clip = new GradientClipping(MaxNorm: 0.5, MaxValue: 0.8);
        ParameterShard Part(int index, long offset, float[] values) =>
            new(new ShardSpec(index, offset, values.Length), values, ShardOptimizer.Spec("sgd", 0.1, 0.9), ShardPolicy.Synchronous, ["w0", "w1"]) { Clipping = clip };
        using var a = Part(0, 0, [1f, 2f, 3f]);
        using var b = Part(1, 3, [4f, 5f]);
        using var whole = tensor(new[] { 1f, 2f, 3f, 4f, 5f });
        using var opt = ShardOptimizer.Create(ShardOptimizer.Spec("sgd", 0.1, 0.9), [whole]);
        for (int t = 0; t < 3; t++)
        {
            float[] g0 = [0.9f, -0.3f, 0.2f * t, 1.5f, -0.4f], g1 = [0.1f, -0.7f, 0.6f, -0.2f, 2.0f * t];
            Assert.Equal(PushOutcome.Accepted, a.Push("w0", t, g0[..3], 3));
            Assert.Equal(PushOutcome.Accepted, a.Push("w1", t, g1[..3], 1)); // complete, but waits for the norm
            Assert.NotNull(a.PendingNormPart);
            Assert.False(a.MayProceed("w0", t + 1));
            Assert.Equal(PushOutcome.Duplicate, a.Push("w1", t, g1[..3], 1));
            b.Push("w0", t, g0[3..], 3);
            b.Push("w1", t, g1[3..], 1);
            double total = a.PendingNormPart!.Value + b.PendingNormPart!.Value;
            a.CompleteStep(total);
            b.CompleteStep(total);
            Assert.True(a.MayProceed("w0", t + 1));

            var mean = g0.Zip(g1, (x, y) => (float)((3.0 * x + 1.0 * y) / 4)).ToArray();
            using var g = tensor(mean);
            whole.grad = g;
            nn.utils.clip_grad_value_([whole], 0.8);
            nn.utils.clip_grad_norm_([whole], 0.5);
            using (no_grad()) opt.step([g]); // g is whole.grad, clipped in place
        }
        var expected = whole.ToArray<float>();
        var actual = a.Values.ToArray().Concat(b.Values.ToArray()).ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 6);
    }

    [Fact]
    public void The_order_in_which_pushes_arrive_does_not_change_a_bit()
    {
        var spec = new ShardSpec(0, 0, 37); // a vector part and a scalar tail
        var rng = new Random(3);
        float[] initial = Enumerable.Range(0, 37).Select(_ => (float)rng.NextDouble()).ToArray();
        // Element 0 cancels: 1e30 + 1 - 1e30 is 0 or 1 in double depending on the order it is summed in.
        float[] cancelling = [1e30f, 1f, -1e30f, 0.5f];
        var steps = Enumerable.Range(0, 5).Select(_ => Enumerable.Range(0, 4)
            .Select(w => ($"w{w}", Enumerable.Range(0, 37).Select(i => i == 0 ? cancelling[w] : (float)(rng.NextDouble() * 2 - 1)).ToArray(), 8)).ToArray()).ToArray();
        float[] Train(Func<int, int[]> order)
        {
            using var shard = new ParameterShard(spec, initial, ShardOptimizer.Spec("adam", 0.01, 0), ShardPolicy.Synchronous, ["w0", "w1", "w2", "w3"]);
            for (int t = 0; t < steps.Length; t++)
                foreach (int w in order(t)) shard.Push(steps[t][w].Item1, t, steps[t][w].Item2, steps[t][w].Item3);
            return shard.Values.ToArray();
        }
        var inOrder = Train(_ => [0, 1, 2, 3]);
        var shuffled = Train(t => t % 2 == 0 ? [3, 1, 0, 2] : [2, 3, 1, 0]);
        Assert.Equal(inOrder.Select(BitConverter.SingleToInt32Bits), shuffled.Select(BitConverter.SingleToInt32Bits));
    }
}

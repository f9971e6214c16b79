using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.Core;

/// <summary>
/// Tests that read the process-wide live-tensor counter run alone (no other test class in parallel),
/// and start from a collected heap so that other tests' garbage cannot move the counter mid-test.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LiveCounterCollection
{
    public const string Name = "live native tensor counter";
}

[Collection(LiveCounterCollection.Name)]
public sealed class MemoryTests
{
    private static long SettledCount()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return LiveNativeTensors;
    }

    [Fact]
    public void Dispose_frees_the_native_tensor_and_further_use_throws()
    {
        var before = SettledCount();
        var t = ones(3);
        Assert.Equal(before + 1, LiveNativeTensors);
        t.Dispose();
        Assert.Equal(before, LiveNativeTensors);
        Assert.True(t.IsDisposed);
        var ex = Assert.Throws<ObjectDisposedException>(() => t.sum());
        Assert.Contains("disposed", ex.Message);
        t.Dispose(); // a second Dispose is harmless
    }

    [Fact]
    public void A_100_step_training_loop_inside_a_dispose_scope_leaves_no_live_native_tensors()
    {
        var before = SettledCount();
        float finalLoss;
        using (var scope = NewDisposeScope())
        {
            // y = 3x - 2 with noise-free data; manual SGD on w and b.
            manual_seed(7);
            var x = rand(new long[] { 64, 1 });
            var y = x * 3 - 2;
            var w = zeros(new long[] { 1, 1 }, requires_grad: true);
            var b = zeros(new long[] { 1 }, requires_grad: true);
            Tensor? loss = null;
            for (var step = 0; step < 100; step++)
            {
                using var stepScope = NewDisposeScope();
                var pred = x.matmul(w) + b;
                loss = (pred - y).square().mean();
                loss.backward();
                using (no_grad())
                {
                    w.sub_(w.grad!, alpha: 0.5);
                    b.sub_(b.grad!, alpha: 0.5);
                    w.grad = null;
                    b.grad = null;
                }
                if (step == 99) stepScope.MoveToOuter(loss);
            }
            finalLoss = loss!.item<float>();
            Assert.True(scope.Count > 0);
        }
        Assert.True(finalLoss < 0.05f, $"linear regression did not converge: loss {finalLoss}");
        Assert.Equal(before, LiveNativeTensors);
    }

    [Fact]
    public void MoveToOuter_keeps_a_tensor_alive_past_the_inner_scope_until_the_outer_one_ends()
    {
        var before = SettledCount();
        Tensor kept;
        using (var outer = NewDisposeScope())
        {
            using (var inner = NewDisposeScope())
            {
                var tmp = ones(2);
                kept = inner.MoveToOuter(tmp * 2);
                Assert.Same(outer, inner.Outer);
            }
            Assert.False(kept.IsDisposed);
            Assert.Equal(new[] { 2f, 2f }, kept.ToArray<float>());
            Assert.Equal(1, outer.Count);
        }
        Assert.True(kept.IsDisposed);
        Assert.Equal(before, LiveNativeTensors);
    }

    [Fact]
    public void Detach_hands_ownership_to_the_caller_and_DisposeEverythingBut_spares_the_given_tensors()
    {
        var before = SettledCount();
        Tensor detached, spared;
        using (var scope = NewDisposeScope())
        {
            detached = scope.Detach(zeros(1));
            spared = ones(1);
            var victim = ones(1);
            scope.DisposeEverythingBut(spared);
            Assert.True(victim.IsDisposed);
            Assert.False(spared.IsDisposed);
            Assert.Equal(1, scope.Count);
        }
        Assert.True(spared.IsDisposed);
        Assert.False(detached.IsDisposed);
        Assert.Equal(before + 1, LiveNativeTensors);
        detached.Dispose();
        Assert.Equal(before, LiveNativeTensors);
    }

    [Fact]
    public void Tensor_level_scope_helpers_move_and_detach()
    {
        var before = SettledCount();
        Tensor moved, free;
        using (var outer = NewDisposeScope())
        {
            using (NewDisposeScope())
            {
                moved = ones(1).MoveToOuterDisposeScope();
                free = ones(1).DetachFromDisposeScope();
            }
            Assert.False(moved.IsDisposed);
            Assert.Equal(1, outer.Count);
        }
        Assert.True(moved.IsDisposed);
        Assert.False(free.IsDisposed);
        free.Dispose();
        Assert.Equal(before, LiveNativeTensors);
    }

    [Fact]
    public void A_scope_disposed_from_another_thread_does_not_break_its_own_thread()
    {
        var before = SettledCount();
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                var scope = NewDisposeScope();
                var inside = ones(1);
                var other = new Thread(scope.Dispose);
                other.Start();
                other.Join();
                Assert.True(inside.IsDisposed);
                using var after = ones(1); // must not join the disposed scope
                Assert.Null(after.OwningScope);
            }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        Assert.Null(failure);
        Assert.Equal(before, SettledCount());
    }

    [Fact]
    public void Tensors_created_outside_any_scope_are_freed_by_the_finalizer()
    {
        var before = SettledCount();
        MakeGarbage();
        Assert.Equal(before, SettledCount());

        static void MakeGarbage()
        {
            for (var k = 0; k < 10; k++) _ = ones(4) + k;
        }
    }
}

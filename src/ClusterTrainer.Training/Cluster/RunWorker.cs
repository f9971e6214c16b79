using System.Diagnostics;
using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Serialization;
using ClusterTrainer.Training.Distributed;
using ClusterTrainer.Training.Distributed.Compression;
using ClusterTrainer.Training.Distributed.ParameterServer;
using ClusterTrainer.Training.Distributed.Worker;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Cluster;

/// <summary>
/// One generation of one worker: trains steps [FromStep, until) of an <see cref="AssignWork"/> on this worker's
/// part of each global batch, pulling every shard's slice and pushing every gradient slice.
/// <code>
///   [pulling t] --all slices--> t &lt; until: compute t, push, StepDone --> [pulling t+1]
///        |                      t &gt;= until: SegmentDone(until), stop
///        |                      t &gt;= cap (an early end proposed, not confirmed): [holding t]
///        |  EndSegment(T): cap := min(until, max(T, next)); SegmentEnding(cap)
///        |  ConfirmEnd(U): until := U (the largest cap of all workers), cap gone; [holding t] goes on as above
/// </code>
/// The pull for `until` after the last push is the proof that every shard took this worker's pushes.
/// Dropout and other randomness are seeded per (run seed, step, worker index), so a generation with the same
/// workers computes the same numbers again.
/// </summary>
public sealed class RunWorker : ReceiveActor
{
    private readonly AssignWork _work;
    private readonly RunPlan _plan;
    private readonly RunData _data;
    private readonly WorkerStep _step;
    private readonly IActorRef _coordinator;
    private readonly WorkerExchange _exchange;
    private readonly string _id;
    private readonly Dictionary<int, EpochPlan> _plans = new();
    private readonly Stopwatch _clock = new();
    private long _next, _until;
    private long? _cap, _held;
    private bool _done;
    private readonly GradientCompression _compression;

    public RunWorker(AssignWork work, RunPlan plan, RunData data, WorkerStep step, IActorRef coordinator, IReadOnlyList<IActorRef> shards)
    {
        _work = work;
        _plan = plan;
        _data = data;
        _step = step;
        _coordinator = coordinator;
        _id = work.Workers[work.Index];
        var layout = plan.Layout(step.Flat.Count);
        if (layout.Count != shards.Count)
            throw new InvalidOperationException($"The assignment names {shards.Count} shards but the layout has {layout.Count}.");
        _exchange = new WorkerExchange(_id, step, layout.Shards.Select((s, i) => (s, shards[i])).ToArray());
        _next = work.FromStep;
        _until = work.UntilStep;
        _compression = GradientCompressions.Parse(plan.Spec.Sync.Compression);
        Receive<ParameterSlice>(OnSlice);
        Receive<TensorPayload>(t =>
        {
            if (DataPlane.TryReadSlice(t, out var slice)) OnSlice(slice);
            else t.Dispose();
        });
        Receive<EndSegment>(OnEnd);
        Receive<ConfirmEnd>(OnConfirm);
    }

    public static string WorkerId(int generation, int index) => $"g{generation}-w{index}";

    protected override void PreStart() => Pull();

    private void Pull() => _exchange.Pull(_next, Self);

    private void OnSlice(ParameterSlice slice)
    {
        if (!_exchange.Take(slice, out long minVersion) || _done) return;
        Proceed(_plan.Policy.IsStepwise ? Math.Max(minVersion, _next) : _next);
    }

    private void Proceed(long step)
    {
        if (step >= _until) { Finish(); return; }
        if (step >= _cap) { _held = step; return; } // proposed to stop here: wait for the confirmed end
        Compute(step);
        _next = step + 1;
        Pull();
    }

    private void OnEnd(EndSegment m)
    {
        if (m.RunId != _work.RunId || m.Generation != _work.Generation || _done) return;
        _cap = Math.Min(_until, Math.Max(m.Step, _next));
        _coordinator.Tell(new SegmentEnding(_work.RunId, _work.Generation, _id, _cap.Value), Self);
    }

    private void OnConfirm(ConfirmEnd m)
    {
        if (m.RunId != _work.RunId || m.Generation != _work.Generation || _done) return;
        _until = Math.Min(_until, m.Step);
        _cap = null;
        if (_held is { } step) { _held = null; Proceed(step); }
    }

    private void Compute(long step)
    {
        if (!_clock.IsRunning) _clock.Start();
        int epoch = (int)(step / _plan.StepsPerEpoch);
        int within = (int)(step % _plan.StepsPerEpoch);
        var plan = PlanFor(epoch);
        var (inputs, targets) = _data.Train.Batch(plan.WorkerBatch(within, _work.Index));
        int samples = (int)inputs.shape[0];
        manual_seed(StepSeed(_plan.Spec.Training.Seed, step, _work.Index));
        float loss;
        using (inputs)
        using (targets)
            loss = _step.Run(inputs, targets);
        // Stepwise modes clip the averaged gradient on the shards (GradientClipping); the async modes apply each push
        // as a step of its own, so the worker clips its gradient here.
        GradientRules.Apply(_plan.Spec.Training, _step.Flat.ValuesSpan, _step.Flat.GradientsSpan, clip: !_plan.Policy.IsStepwise);
        // Each push is a bare tensor frame (DataPlane), uncompressed ones written to the socket straight from the
        // flat gradient buffer (WorkerExchange).
        _exchange.Push(step, samples, _compression, Self);
        long done = step - _work.FromStep + 1;
        double rate = done * (double)_plan.GlobalBatch / _work.Workers.Count / Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);
        _coordinator.Tell(new StepDone(_work.RunId, _work.Generation, _id, step, loss, samples, rate), Self);
    }

    private EpochPlan PlanFor(int epoch)
    {
        if (!_plans.TryGetValue(epoch, out var plan))
        {
            if (_plans.Count > 1) _plans.Remove(_plans.Keys.Min());
            _plans[epoch] = plan = _plan.EpochPlan(epoch, _work.Workers.Count);
        }
        return plan;
    }

    private void Finish()
    {
        _done = true;
        _coordinator.Tell(new SegmentDone(_work.RunId, _work.Generation, _id, _until), Self);
        Context.Stop(Self);
    }

    /// <summary>The seed of one worker's step: SplitMix64 of (run seed, step, worker index).</summary>
    public static long StepSeed(long seed, long step, int index)
    {
        ulong z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)step * 0xBF58476D1CE4E5B9UL + (ulong)index + 1);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (long)((z ^ (z >> 31)) & long.MaxValue);
    }
}

/// <summary>
/// What a worker does to its gradient before pushing: L1/L2 penalties (the same on every worker, so the average
/// keeps them once), then, when <c>clip</c> is set (the async modes), clipping of this worker's gradient by value
/// and by total norm. One process training on the global batch applies the same rules to its whole gradient.
/// </summary>
public static class GradientRules
{
    public static void Apply(Runs.TrainingSpec t, ReadOnlySpan<float> values, Span<float> gradients, bool clip = true)
    {
        if (t.L1 > 0 || t.L2 > 0)
        {
            float l1 = (float)t.L1, l2 = (float)(2 * t.L2);
            for (int i = 0; i < gradients.Length; i++) gradients[i] += l2 * values[i] + l1 * MathF.Sign(values[i]);
        }
        if (!clip) return;
        if (t.ClipGradValue is { } v)
        {
            float c = (float)v;
            for (int i = 0; i < gradients.Length; i++) gradients[i] = Math.Clamp(gradients[i], -c, c);
        }
        if (t.ClipGradNorm is { } max)
        {
            double sum = 0;
            foreach (var g in gradients) sum += (double)g * g;
            double norm = Math.Sqrt(sum);
            if (norm > max)
            {
                float scale = (float)(max / (norm + 1e-6));
                for (int i = 0; i < gradients.Length; i++) gradients[i] *= scale;
            }
        }
    }
}

using ClusterTrainer.Torch;
using ClusterTrainer.Torch.Optim;
using ClusterTrainer.Training.Runs;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Distributed.ParameterServer;

/// <summary>
/// One parameter shard: its float32 slice of the flat parameter vector, the optimizer that updates it, and the
/// rule (<see cref="ShardPolicy"/>) that turns workers' gradient pushes into optimizer steps. Not thread-safe:
/// the <see cref="ParameterServerActor"/> owns one and calls it from its mailbox.
/// <code>
/// Sync / Backup, per version v (parameters at v; workers push step v):
///
///            push(w, v), still missing workers               push(w, v) completes the set
///   [collecting v] ---------------------------> [collecting v] --------------------------+
///      ^   |  push(w, v) again: Duplicate        leave(w) and the rest already pushed    |
///      |   |  push(w, u &lt; v): Late (Duplicate if w gave to u = v-1)                      |
///      |   |  push(w, u &gt; v) or w not live: Rejected                                     v
///      +---+------------------------------- [apply average, v := v+1, publish] &lt;-------+
///  "complete": Sync = every live worker pushed; Backup(k) = max(1, live-k) pushes arrived.
///  With <see cref="Clipping"/>: the average is clipped by value, and clipping by total norm first needs every
///  shard's part of the norm: the shard offers its own (<see cref="PendingNormPart"/>) and applies the step when
///  <see cref="CompleteStep"/> brings the total ([collecting v] → [awaiting norm of v] → apply).
///
/// Async (Downpour) / Bounded(s): each new (w, step) is applied at once (v := v+1); a repeat is a Duplicate.
///   Bounded: worker w may compute step c only while c - min(completed steps of live workers) &lt;= s.
/// </code>
/// </summary>
public sealed class ParameterShard : IDisposable
{
    private readonly Tensor _values;
    private readonly Tensor _gradient;
    private readonly Optimizer _optimizer;
    private readonly HashSet<string> _live = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _pending = new(StringComparer.Ordinal);
    private HashSet<string> _lastContributors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _completed = new(StringComparer.Ordinal);
    // The step being collected: the first push goes straight into _gradient (a step with one contributor needs no
    // more), later ones into a slot of their worker; the apply sums them in worker-id order, so the result does not
    // depend on the order in which pushes arrived (runs with the same seed repeat bit for bit).
    private string? _firstWorker;
    private readonly Dictionary<string, float[]> _slots = new(StringComparer.Ordinal);
    private long _applied, _taken, _duplicates, _late, _rejected, _maxLead;

    public ParameterShard(ShardSpec spec, ReadOnlySpan<float> initialValues, OptimizerSpec optimizer,
        ShardPolicy policy, IEnumerable<string> workers)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(workers);
        policy.Validate();
        if (initialValues.Length != spec.Length)
            throw new ArgumentException($"Shard {spec.Index} holds {spec.Length} elements but {initialValues.Length} " +
                                        "initial values were given; pass the shard's slice of the flat vector.", nameof(initialValues));
        Spec = spec;
        Policy = policy;
        _values = tensor(initialValues, [spec.Length]);
        _gradient = zeros(spec.Length);
        _values.DetachFromDisposeScope();
        _gradient.DetachFromDisposeScope();
        _optimizer = ShardOptimizer.Create(optimizer, [_values]);
        foreach (var w in workers) Join(w);
    }

    public ShardSpec Spec { get; }
    public ShardPolicy Policy { get; }

    /// <summary>
    /// Clipping of the averaged gradient in the stepwise modes (null: none), as <c>clip_grad_value_</c> and
    /// <c>clip_grad_norm_</c> do on one process's gradient after DDP's all-reduce. The async modes apply each push
    /// as its own step, so their workers clip their own gradient instead.
    /// </summary>
    public GradientClipping? Clipping { get; init; }

    /// <summary>
    /// This shard's part of the squared total norm of step <see cref="Version"/>'s averaged gradient while the step
    /// waits for the total (clipping by norm); null otherwise.
    /// </summary>
    public double? PendingNormPart { get; private set; }

    /// <summary>Number of optimizer steps applied since the start (or since the imported state's version).</summary>
    public long Version { get; private set; }

    public IReadOnlyCollection<string> LiveWorkers => _live;

    /// <summary>The current parameter values (a view of native memory, valid until the next push).</summary>
    public ReadOnlySpan<float> Values => _values.data<float>();

    public ShardCounters Counters => new(Spec.Index, Version, _applied, _taken, _duplicates, _late, _rejected, _maxLead);

    /// <summary>The learning rate the next steps use.</summary>
    public double LearningRate => _optimizer.param_groups[0].LearningRate;

    /// <summary>Sets the learning rate of the next steps (the coordinator's LR schedule, stepped per epoch).</summary>
    public void SetLearningRate(double lr)
    {
        if (!double.IsFinite(lr) || lr < 0)
            throw new ArgumentOutOfRangeException(nameof(lr), lr, "A learning rate must be a finite number >= 0.");
        _optimizer.param_groups[0].LearningRate = lr;
    }

    /// <summary>Adds a worker to the live set; it contributes from the current step on.</summary>
    public void Join(string worker)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(worker);
        _live.Add(worker);
        _completed.TryAdd(worker, Policy.IsStepwise ? Version : MinCompleted());
    }

    /// <summary>
    /// Removes a worker from the live set. In the stepwise modes the current step then completes with the others
    /// if they have all pushed; returns true when that applied a step.
    /// </summary>
    public bool Leave(string worker)
    {
        if (!_live.Remove(worker)) return false;
        _completed.Remove(worker);
        return Policy.IsStepwise && IsStepComplete() && ApplyPending();
    }

    /// <summary>
    /// Takes worker <paramref name="worker"/>'s gradient for <paramref name="step"/> (the parameter version it
    /// computed on in the stepwise modes, its own step counter in the others), computed as a mean over
    /// <paramref name="samples"/> samples; stepwise modes weight each worker's gradient by its samples so that
    /// uneven batches average exactly like one big batch.
    /// </summary>
    public PushOutcome Push(string worker, long step, ReadOnlySpan<float> gradient, int samples)
    {
        if (gradient.Length != Spec.Length)
            throw new ArgumentException($"Shard {Spec.Index} expects a gradient of {Spec.Length} elements but got " +
                                        $"{gradient.Length}; push the slice [{Spec.Offset}, {Spec.End}) of the flat gradient.", nameof(gradient));
        if (samples < 0) throw new ArgumentOutOfRangeException(nameof(samples), samples, "A batch cannot have a negative sample count.");
        if (!_live.Contains(worker)) { _rejected++; return PushOutcome.Rejected; }
        return Policy.IsStepwise ? PushStepwise(worker, step, gradient, samples) : PushImmediate(worker, step, gradient);
    }

    /// <summary>
    /// Whether <paramref name="worker"/> may compute <paramref name="step"/> now: stepwise modes once version
    /// <paramref name="step"/> is published, Async always, Bounded(s) while it is at most s steps ahead of the
    /// slowest live worker.
    /// </summary>
    public bool MayProceed(string worker, long step) => Policy.Mode switch
    {
        SyncMode.Sync or SyncMode.Backup => Version >= step,
        SyncMode.Bounded => step - MinCompleted() <= Policy.Staleness,
        _ => true,
    };

    private PushOutcome PushStepwise(string worker, long step, ReadOnlySpan<float> gradient, int samples)
    {
        long open = PendingNormPart is null ? Version : Version + 1; // a step waiting for its norm is closed to pushes
        if (step > open) { _rejected++; return PushOutcome.Rejected; }
        if (step < open)
        {
            if (step == open - 1 && _lastContributors.Contains(worker)) { _duplicates++; return PushOutcome.Duplicate; }
            _late++;
            return PushOutcome.Late;
        }
        if (_pending.ContainsKey(worker)) { _duplicates++; return PushOutcome.Duplicate; }
        _pending[worker] = samples;
        _taken++;
        if (_pending.Count == 1)
        {
            gradient.CopyTo(_gradient.data<float>());
            _firstWorker = worker;
        }
        else
        {
            if (!_slots.TryGetValue(worker, out var slot))
                _slots[worker] = slot = GC.AllocateUninitializedArray<float>(checked((int)Spec.Length), pinned: true);
            gradient.CopyTo(slot);
        }
        return IsStepComplete() && ApplyPending() ? PushOutcome.Applied : PushOutcome.Accepted;
    }

    private PushOutcome PushImmediate(string worker, long step, ReadOnlySpan<float> gradient)
    {
        long done = _completed.GetValueOrDefault(worker);
        if (step < done) { _duplicates++; return PushOutcome.Duplicate; }
        _maxLead = Math.Max(_maxLead, step - MinCompleted());
        _completed[worker] = step + 1;
        _taken++;
        gradient.CopyTo(_gradient.data<float>());
        Step();
        return PushOutcome.Applied;
    }

    private bool IsStepComplete()
    {
        if (_pending.Count == 0) return false;
        if (Policy.Mode == SyncMode.Backup) return _pending.Count >= Math.Max(1, _live.Count - Policy.BackupWorkers);
        foreach (var w in _live) if (!_pending.ContainsKey(w)) return false;
        return true;
    }

    private bool ApplyPending()
    {
        long total = 0;
        foreach (var n in _pending.Values) total += n;
        if (_pending.Count > 1)
            // Every contributor had an empty batch: fall back to equal weights (the sums are zero anyway).
            WeightedMean(total > 0 ? 1.0 / total : 1.0 / _pending.Count);
        else if (total == 0)
            _gradient.data<float>().Clear(); // one empty batch contributes nothing
        // else: one contributor; its gradient already sits in _gradient (samples · g / samples is g again)
        _lastContributors = new HashSet<string>(_pending.Keys, StringComparer.Ordinal);
        _pending.Clear();
        if (Clipping is { } clip)
        {
            if (clip.MaxValue is { } v) using (no_grad()) _gradient.clamp_(-v, v);
            if (clip.MaxNorm is not null)
            {
                PendingNormPart = ShardedClipping.NormPart([_gradient]);
                return false;
            }
        }
        Step();
        return true;
    }

    /// <summary>
    /// Applies the step that waits for its norm, given the sum of every shard's <see cref="PendingNormPart"/>
    /// (in shard order): scales the averaged gradient by torch's clip coefficient, then runs the optimizer.
    /// </summary>
    public void CompleteStep(double squaredNormTotal)
    {
        if (PendingNormPart is null) throw new InvalidOperationException($"Shard {Spec.Index} has no step waiting for its norm.");
        double coefficient = ShardedClipping.Coefficient(ShardedClipping.TotalNorm([squaredNormTotal]), Clipping!.MaxNorm!.Value);
        if (coefficient < 1) ShardedClipping.Scale_([_gradient], coefficient);
        PendingNormPart = null;
        Step();
    }

    /// <summary>
    /// <c>_gradient[i] = (float)(Σ_w samples_w · g_w[i] · scale)</c> over the pending workers in worker-id order,
    /// summed in double precision, vectorized. The first worker's gradient is read from _gradient itself: every
    /// source of element i is read before i is written.
    /// </summary>
    private unsafe void WeightedMean(double scale)
    {
        var order = _pending.Keys.Order(StringComparer.Ordinal).ToArray();
        var sources = new float*[order.Length];
        var weights = new double[order.Length];
        var gradient = _gradient.data<float>();
        fixed (float* destination = gradient)
        {
            for (int j = 0; j < order.Length; j++)
            {
                weights[j] = _pending[order[j]];
                sources[j] = order[j] == _firstWorker
                    ? destination
                    : (float*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_slots[order[j]]));
            }
            int n = gradient.Length, i = 0;
            if (System.Numerics.Vector.IsHardwareAccelerated)
            {
                int width = System.Numerics.Vector<float>.Count;
                var s = new System.Numerics.Vector<double>(scale);
                for (; i + width <= n; i += width)
                {
                    var low = System.Numerics.Vector<double>.Zero;
                    var high = System.Numerics.Vector<double>.Zero;
                    for (int j = 0; j < sources.Length; j++)
                    {
                        var w = new System.Numerics.Vector<double>(weights[j]);
                        System.Numerics.Vector.Widen(System.Runtime.CompilerServices.Unsafe.ReadUnaligned<System.Numerics.Vector<float>>(sources[j] + i), out var l, out var h);
                        low += w * l;
                        high += w * h;
                    }
                    System.Runtime.CompilerServices.Unsafe.WriteUnaligned(destination + i, System.Numerics.Vector.Narrow(low * s, high * s));
                }
            }
            for (; i < n; i++)
            {
                double sum = 0;
                for (int j = 0; j < sources.Length; j++) sum += weights[j] * sources[j][i];
                destination[i] = (float)(sum * scale);
            }
        }
    }

    private void Step()
    {
        using (no_grad()) _optimizer.step([_gradient]);
        Version++;
        _applied++;
    }

    private long MinCompleted()
    {
        long min = long.MaxValue;
        foreach (var w in _live) min = Math.Min(min, _completed.GetValueOrDefault(w));
        return min == long.MaxValue ? 0 : min;
    }

    /// <summary>A copy of the slice, its optimizer state and its version, for checkpoints.</summary>
    public ShardState ExportState() => ShardStateCodec.Export(this, _values, _optimizer);

    /// <summary>
    /// Replaces the slice, optimizer state and version with a checkpointed <paramref name="state"/> of the same
    /// shard; half-collected steps and per-worker clocks are cleared (the workers resume from that version).
    /// </summary>
    public void ImportState(ShardState state)
    {
        ShardStateCodec.Import(this, state, _values, _optimizer);
        Version = state.Version;
        _pending.Clear();
        PendingNormPart = null;
        _lastContributors.Clear();
        foreach (var w in _live) _completed[w] = Policy.IsStepwise ? Version : 0;
    }

    /// <summary>
    /// Starts a new generation on the current slice and optimizer state: the live set becomes
    /// <paramref name="workers"/>, half-collected steps are dropped, and in the async/bounded modes every worker's
    /// clock starts at <paramref name="startStep"/> (the stepwise modes go on from <see cref="Version"/>).
    /// <see cref="AppliedSteps"/> counts from here, so a test can check each later step was applied once.
    /// </summary>
    public void Reset(IEnumerable<string> workers, long startStep)
    {
        ArgumentNullException.ThrowIfNull(workers);
        _live.Clear();
        _completed.Clear();
        _pending.Clear();
        PendingNormPart = null;
        _lastContributors.Clear();
        _applied = 0;
        foreach (var w in workers)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(w);
            _live.Add(w);
            _completed[w] = Policy.IsStepwise ? Version : startStep;
        }
        foreach (var gone in _slots.Keys.Where(w => !_live.Contains(w)).ToArray()) _slots.Remove(gone);
    }

    /// <summary>Optimizer steps applied since construction, import or <see cref="Reset"/>.</summary>
    public long AppliedSteps => _applied;

    public void Dispose()
    {
        _optimizer.Dispose();
        _values.Dispose();
        _gradient.Dispose();
    }
}

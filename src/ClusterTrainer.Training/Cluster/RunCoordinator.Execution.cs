using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Remote;
using ShardingEnvelope = ClusterTrainer.Actors.Sharding.ShardingEnvelope;
using ClusterTrainer.Persistence.Sql.Checkpoints;
using ClusterTrainer.Training.Checkpoints;
using ClusterTrainer.Training.Control;
using ClusterTrainer.Training.Distributed;
using ClusterTrainer.Training.Distributed.ParameterServer;
using ClusterTrainer.Training.Local;

namespace ClusterTrainer.Training.Cluster;

public sealed partial class RunCoordinator
{
    private enum Phase { Starting, Training, Recovering, Checkpointing, Collecting, Finishing, HandingOver, Idle }

    private enum After { Continue, Pause, Stop }

    /// <summary>The active run's in-memory state; rebuilt from the journal and the last checkpoint after a failover.</summary>
    private sealed class Execution(RunRecord run, RunPlan plan, RunData data, ShardLayout layout)
    {
        public RunRecord Run { get; } = run;
        public RunPlan Plan { get; } = plan;
        public RunData Data { get; } = data;
        public ShardLayout Layout { get; } = layout;
        public Phase Phase { get; set; } = Phase.Idle;
        public After After { get; set; } = After.Continue;
        public int Generation { get; set; } = run.Generation;
        public ShardStart Start { get; set; }
        public List<(string Node, IActorRef Host, string Id)> Workers { get; set; } = new();
        public IActorRef?[] Shards { get; } = new IActorRef?[layout.Count];
        public long From { get; set; }
        public long Until { get; set; }
        public HashSet<string> Done { get; } = new(StringComparer.Ordinal);
        public Dictionary<int, CheckpointPart> Parts { get; } = new();
        public Dictionary<int, ShardState> States { get; } = new();
        public Action<float[]>? OnCollected { get; set; }
        public (ShardStart Start, long From, CheckpointManifest? Manifest)? PendingBegin { get; set; }
        public int InitAttempts { get; set; }
        public double EpochLoss { get; set; }
        public long EpochSamples { get; set; }
        public Dictionary<string, double> Rates { get; } = new(StringComparer.Ordinal);
        public DateTime LastStepEvent { get; set; }
        public float[]? Best { get; set; }
        public double BestValidation { get; set; } = double.NegativeInfinity;
        /// <summary>Nodes leaving gracefully, waiting for the next sync point's checkpoint before they hand off.</summary>
        public List<(string Address, IActorRef ReplyTo)> Leaving { get; } = new();
        /// <summary>This coordinator's own node is leaving: after that checkpoint nothing new starts here.</summary>
        public bool CoordinatorLeaving { get; set; }
        /// <summary>Shards (indices) on nodes that were told to hand off; the run restores once they are all gone.</summary>
        public HashSet<int> HandingOver { get; } = new();
        /// <summary>While the generation is being ended early: each worker's proposed end (see <see cref="EndSegment"/>).</summary>
        public Dictionary<string, long>? Ending { get; set; }
    }

    private sealed record Probed(int Generation, long[]? Versions);
    private sealed record Restored(string RunId, CheckpointManifest? Manifest, string? Error, IActorRef? ReplyTo);
    private sealed record CommitDone(int Generation, long Step, CheckpointManifest? Manifest, string? Error);
    private sealed record Evaluated(int Generation, int Epoch, RunEvaluation.Metrics? Metrics, float[] Parameters, string? Error);
    private sealed record Tested(int Generation, double Accuracy, string? Error);
    private sealed record InitTimeout(int Generation);
    private sealed record HandOverTimeout(int Generation);
    private sealed record EndingTimeout(int Generation);

    private Execution? _exec;
    private DateTime? _waitingSince;

    private void CommandExecution()
    {
        Command<ShardReady>(OnShardReady);
        Command<ShardLost>(m => { if (Current(m.RunId, m.Generation, Phase.Starting) is not null) RestoreLatest(); });
        Command<ShardFailed>(OnShardFailed);
        Command<StepDone>(OnStepDone);
        Command<SegmentDone>(OnSegmentDone);
        Command<SegmentEnding>(OnSegmentEnding);
        Command<WorkerFailed>(m => { if (Current(m.RunId, m.Generation, null) is { } x) Fail(x, $"worker {m.Worker} cannot train: {m.Reason}"); });
        Command<ShardCheckpointed>(OnShardCheckpointed);
        Command<ShardState>(OnShardState);
        Command<CommitDone>(OnCommitDone);
        Command<Evaluated>(OnEvaluated);
        Command<Tested>(OnTested);
        Command<Probed>(OnProbed);
        Command<Restored>(OnRestored);
        Command<InitTimeout>(OnInitTimeout);
        Command<RestoreRequested>(OnRestoreRequested);
        Command<NodeLeaving>(OnNodeLeaving);
        Command<HandOverTimeout>(OnHandOverTimeout);
        Command<EndingTimeout>(m =>
        {
            // A worker never answered (it did not get the proposal): release everyone to the natural end.
            if (_exec is not { Ending: not null } x || x.Generation != m.Generation) return;
            Log.Warning($"Run {x.Run.Id} generation {x.Generation}: not every worker answered the early end; ending at step {x.Until} as planned.");
            ConfirmEndAt(x, x.Until);
        });
    }

    /// <summary>This coordinator's node address.</summary>
    private Address SelfAddress => Remoting.Get(Context.System).Address;

    private Execution? Current(string runId, int generation, Phase? phase) =>
        _exec is { } x && x.Run.Id == runId && x.Generation == generation && (phase is null || x.Phase == phase) ? x : null;

    // ---- starting ------------------------------------------------------------------------------------------------

    private void TryStartNext()
    {
        if (_exec is { PendingBegin: { } pending } waiting)
        {
            if (_workers.Count == 0) return;
            waiting.PendingBegin = null;
            Begin(pending.Start, pending.From, pending.Manifest);
            return;
        }
        if (_exec is not null || _workers.Count == 0) return;
        var run = _runs.FirstOrDefault(r => r.Status == RunStatus.Running) ?? _runs.FirstOrDefault(r => r.Status == RunStatus.Pending);
        if (run is null) return;
        var spec = RunPlan.ParseSpec(run.SpecYaml, run.Id);
        int width = run.Started ? run.Width : spec.Training.Workers > 0 ? spec.Training.Workers : _workers.Count;
        if (!run.Started && _workers.Count < width)
        {
            _waitingSince ??= DateTime.UtcNow;
            if (DateTime.UtcNow - _waitingSince < _settings.StartGrace) return;
        }
        _waitingSince = null;
        RunData data;
        try { data = RunData.Load(spec, _settings.DataDir); }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Change(run, RunStatus.Failed, $"cannot read the dataset: {e.Message}");
            return;
        }
        if (run.Started)
        {
            var plan = new RunPlan(spec, run.SpecYaml, run.Width, run.MaxShardElements, data.Train.Count);
            _exec = new Execution(run, plan, data, plan.Layout(run.ParameterCount));
            Log.Info($"Resuming run {run.Id} from its last checkpoint.");
            Publish(new RunEvent("Recovery", run.Id, DateTimeOffset.UtcNow, Step: run.LastCheckpointStep ?? 0,
                Message: "coordinator resumed the run from its last checkpoint"));
            RestoreLatest();
            return;
        }
        long count;
        using (var model = RunPlan.CreateModel(spec))
            count = model.parameters().Sum(p => p.numel());
        int psNodes = Math.Max(1, Actors.Cluster.Cluster.Get(Context.System).State.Members.Count(m => m.HasRole("ps") && m.Status == Actors.Cluster.MemberStatus.Up));
        long maxShard = ShardLayout.ShardBoundFor(count, psNodes);
        var fresh = new RunPlan(spec, run.SpecYaml, width, maxShard, data.Train.Count);
        _exec = new Execution(run, fresh, data, fresh.Layout(count));
        Persist(new RunStarted(run.Id, width, maxShard, count, fresh.TotalSteps, DateTimeOffset.UtcNow), e =>
        {
            run.Apply(e);
            Publish(new RunEvent("RunStarted", run.Id, e.At, Status: RunStatus.Running, TotalSteps: e.TotalSteps,
                Message: $"{width} workers x batch {spec.Training.BatchSize}, {_exec!.Layout.Count} shards"));
        });
        if (run.Status == RunStatus.Pending) Change(run, RunStatus.Running);
        Begin(ShardStart.Fresh, 0, null);
    }

    /// <summary>Starts the next generation: every shard from <paramref name="start"/>, then every live worker.</summary>
    private void Begin(ShardStart start, long from, CheckpointManifest? manifest)
    {
        var x = _exec!;
        if (_workers.Count == 0)
        {
            x.Phase = Phase.Idle;
            x.PendingBegin = (start, from, manifest);
            Publish(new RunEvent("Recovery", x.Run.Id, DateTimeOffset.UtcNow, Message: "waiting for a worker to register"));
            return;
        }
        int generation = Math.Max(x.Generation, x.Run.Generation) + 1;
        var workers = _workers.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select((kv, i) => (kv.Key, kv.Value, RunWorker.WorkerId(generation, i))).ToList();
        x.Phase = Phase.Starting;
        x.Generation = generation;
        Persist(new GenerationStarted(x.Run.Id, generation, from, workers.Select(w => w.Key).ToArray()), e =>
        {
            x.Run.Apply(e);
            x.Workers = workers;
            x.Rates.Clear(); // worker ids are per generation
            x.From = from;
            x.Start = start;
            Array.Clear(x.Shards);
            var ids = workers.Select(w => w.Item3).ToArray();
            double lr = x.Plan.LearningRate(x.Plan.EpochOf(from), ValidationLosses(x.Run));
            foreach (var s in x.Layout.Shards)
            {
                var part = manifest?.Parts.FirstOrDefault(p => p.ShardId == s.Index);
                var init = new InitShard(x.Run.Id, generation, s.Index, s.Offset, s.Length, x.Run.SpecYaml, x.Plan.Width, x.Plan.MaxShardElements,
                    ids, start, part, lr, from, x.Layout.Count);
                _settings.ShardRegion.Tell(new ShardingEnvelope(ShardEntity.EntityId(x.Run.Id, s.Index), init), Self);
            }
            Timers.StartSingleTimer("init", new InitTimeout(generation), _settings.InitTimeout);
        });
    }

    private static List<double> ValidationLosses(RunRecord run) => run.History.OrderBy(h => h.Epoch).Select(h => h.ValidationLoss).ToList();

    private void OnShardReady(ShardReady m)
    {
        if (Current(m.RunId, m.Generation, Phase.Starting) is not { } x) return;
        if (x.Shards[m.Index] is null) Context.Watch(Sender);
        x.Shards[m.Index] = Sender;
        if (x.Shards.Any(s => s is null)) return;
        Timers.Cancel("init");
        x.InitAttempts = 0;
        if (x.From >= x.Plan.TotalSteps) { AfterCheckpoint(x.From); return; }
        StartSegment(x);
    }

    private void StartSegment(Execution x)
    {
        x.Until = Math.Min(x.Plan.SegmentEnd(x.From), x.From + _settings.SegmentCap);
        x.Phase = Phase.Training;
        x.Done.Clear();
        x.Ending = null;
        var self = SelfAddress;
        var paths = x.Shards.Select(s => s!.Path.Address.HasLocalScope ? s.Path.WithAddress(self).ToString() : s.Path.ToString()).ToArray();
        var ids = x.Workers.Select(w => w.Id).ToArray();
        Log.Debug($"Run {x.Run.Id} generation {x.Generation}: steps [{x.From}, {x.Until}) on {x.Workers.Count} workers, {x.Shards.Length} shards.");
        for (int i = 0; i < x.Workers.Count; i++)
            x.Workers[i].Host.Tell(new AssignWork(x.Run.Id, x.Generation, x.Run.SpecYaml, x.Plan.Width, x.Plan.MaxShardElements, ids, i, x.From, x.Until, paths), Self);
        if (x.After != After.Continue || x.Leaving.Count > 0) EndEarly(x); // asked for while the generation was starting
    }

    private void OnInitTimeout(InitTimeout m)
    {
        if (_exec is not { Phase: Phase.Starting } x || x.Generation != m.Generation) return;
        if (++x.InitAttempts > 8) { Fail(x, $"the parameter shards did not start after {x.InitAttempts - 1} attempts; are there live 'ps' nodes?"); return; }
        Log.Warning($"Run {x.Run.Id} generation {x.Generation}: not every shard answered within {_settings.InitTimeout.TotalSeconds:0} s; trying again.");
        RestoreLatest();
    }

    // ---- training ------------------------------------------------------------------------------------------------

    private void OnStepDone(StepDone m)
    {
        if (Current(m.RunId, m.Generation, null) is not { } x) return;
        x.Run.Step = Math.Max(x.Run.Step, m.Step + 1);
        if (!float.IsNaN(m.Loss)) { x.EpochLoss += (double)m.Loss * m.Samples; x.EpochSamples += m.Samples; x.Run.LastLoss = m.Loss; }
        x.Rates[m.Worker] = m.SamplesPerSecond;
        var now = DateTime.UtcNow;
        if (now - x.LastStepEvent < TimeSpan.FromMilliseconds(250)) return;
        x.LastStepEvent = now;
        Publish(new RunEvent("Step", x.Run.Id, now, Epoch: x.Plan.EpochOf(m.Step), Step: x.Run.Step, TotalSteps: x.Plan.TotalSteps,
            Loss: x.EpochSamples > 0 ? x.EpochLoss / x.EpochSamples : m.Loss, SamplesPerSecond: x.Rates.Values.Sum()));
    }

    private void OnSegmentDone(SegmentDone m)
    {
        if (Current(m.RunId, m.Generation, Phase.Training) is not { } x || m.Until != x.Until) return;
        x.Done.Add(m.Worker);
        if (x.Ending is { } ending)
        {
            // It finished at the generation's natural end before our EndSegment reached it: that is its proposal.
            ending[m.Worker] = m.Until;
            ConfirmWhenAllProposed(x);
        }
        if (x.Done.Count < x.Workers.Count) return;
        x.Run.Step = x.Until;
        var spec = x.Plan.Spec;
        long step = x.Until;
        bool checkpoint = step % spec.Checkpoint.EverySteps == 0 || x.Plan.IsEpochEnd(step) || step >= x.Plan.TotalSteps || x.After != After.Continue
                          || x.Leaving.Count > 0;
        if (checkpoint && x.Run.LastCheckpointStep != step) TakeCheckpoint(x, step);
        else AfterCheckpoint(step);
    }

    /// <summary>
    /// Ends the training generation a step or two from now instead of at its natural sync point (pause, stop, a node
    /// leaving): every worker proposes where it can stop (<see cref="EndSegment"/>), then all get the largest
    /// proposal (<see cref="ConfirmEnd"/>); the generation then ends there like any other.
    /// </summary>
    private void EndEarly(Execution x)
    {
        if (x.Phase != Phase.Training || x.Ending is not null) return;
        long target = x.Run.Step + 1;
        if (target >= x.Until) return; // the natural end is as near
        x.Ending = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var done in x.Done) x.Ending[done] = x.Until;
        foreach (var w in x.Workers) w.Host.Tell(new EndSegment(x.Run.Id, x.Generation, target), Self);
        Timers.StartSingleTimer("ending", new EndingTimeout(x.Generation), TimeSpan.FromSeconds(10));
        ConfirmWhenAllProposed(x);
    }

    private void OnSegmentEnding(SegmentEnding m)
    {
        if (Current(m.RunId, m.Generation, Phase.Training) is not { Ending: { } ending } x) return;
        ending[m.Worker] = m.Until;
        ConfirmWhenAllProposed(x);
    }

    private void ConfirmWhenAllProposed(Execution x)
    {
        if (x.Ending is not { } ending || x.Workers.Any(w => !ending.ContainsKey(w.Id))) return;
        Timers.Cancel("ending");
        Log.Info($"Run {x.Run.Id} generation {x.Generation}: ends early, before step {ending.Values.Max()}.");
        ConfirmEndAt(x, ending.Values.Max());
    }

    /// <summary>The generation ends before <paramref name="until"/>: tells every worker, which stops holding.</summary>
    private void ConfirmEndAt(Execution x, long until)
    {
        x.Until = until;
        x.Ending = null;
        foreach (var w in x.Workers) w.Host.Tell(new ConfirmEnd(x.Run.Id, x.Generation, until), Self);
    }

    private void TakeCheckpoint(Execution x, long step)
    {
        x.Phase = Phase.Checkpointing;
        x.Parts.Clear();
        foreach (var shard in x.Shards) shard!.Tell(new CheckpointShard(x.Run.Id, x.Generation, step), Self);
    }

    private void OnShardCheckpointed(ShardCheckpointed m)
    {
        if (Current(m.RunId, m.Generation, Phase.Checkpointing) is not { } x) return;
        x.Parts[m.Index] = m.Part;
        if (x.Parts.Count < x.Layout.Count) return;
        long step = x.Run.Step;
        var position = new CheckpointPosition(step, (int)(step / x.Plan.StepsPerEpoch), step, [x.Plan.Spec.Training.Seed], SpecHash(x.Run.SpecYaml));
        int generation = x.Generation;
        var self = Self;
        _checkpoints.CommitAsync(x.Run.Id, position, x.Parts.Values.ToArray()).ContinueWith(t =>
            self.Tell(new CommitDone(generation, step, t.IsCompletedSuccessfully ? t.Result : null, t.Exception?.GetBaseException().Message)));
    }

    private static string SpecHash(string yaml) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(yaml)))[..16].ToLowerInvariant();

    private void OnCommitDone(CommitDone m)
    {
        if (_exec is not { Phase: Phase.Checkpointing } x || x.Generation != m.Generation) return;
        if (m.Manifest is null)
        {
            Log.Error($"Run {x.Run.Id}: checkpoint of step {m.Step} not committed: {m.Error}");
            Publish(new RunEvent("Checkpoint", x.Run.Id, DateTimeOffset.UtcNow, Step: m.Step, Message: $"checkpoint failed: {m.Error}"));
            AfterCheckpoint(m.Step);
            return;
        }
        Persist(new CheckpointCommitted(x.Run.Id, m.Step, m.Manifest.Epoch), e =>
        {
            x.Run.Apply(e);
            Publish(new RunEvent("Checkpoint", x.Run.Id, DateTimeOffset.UtcNow, Epoch: e.Epoch, Step: e.Step, Message: "committed"));
            AfterCheckpoint(e.Step);
        });
    }

    /// <summary>At a sync point with the checkpoint (if due) committed: validate at epoch ends, then go on.</summary>
    private void AfterCheckpoint(long step)
    {
        var x = _exec!;
        int finished = (int)(step / x.Plan.StepsPerEpoch);
        if (x.Plan.IsEpochEnd(step) && !x.Run.History.Any(h => h.Epoch == finished - 1))
        {
            Collect(x, parameters => Evaluate(x, finished - 1, parameters));
            return;
        }
        Continue(x, step);
    }

    private void Continue(Execution x, long step)
    {
        if (step >= x.Plan.TotalSteps || StopsEarly(x)) { Finish(x); return; }
        switch (x.After)
        {
            case After.Pause:
                x.After = After.Continue;
                x.Phase = Phase.Idle;
                Change(x.Run, RunStatus.Paused, "paused by request");
                LetLeave(x, step); // the pause checkpoint holds the shards' state
                return;
            case After.Stop:
                Change(x.Run, RunStatus.Stopped, "stopped by request");
                Release(x);
                return;
        }
        if (x.Leaving.Count > 0) { HandOver(x, step); return; }
        Begin(ShardStart.Keep, step, null);
    }

    private static bool StopsEarly(Execution x)
    {
        if (x.Plan.Spec.Training.EarlyStoppingPatience is not { } patience) return false;
        var stopping = new EarlyStopping(patience, x.Plan.Spec.Training.EarlyStoppingMinDelta);
        foreach (var h in x.Run.History.OrderBy(h => h.Epoch)) stopping.Observe(h.Epoch, h.ValidationAccuracy);
        return stopping.ShouldStop;
    }

    // ---- parameters, validation, completion -----------------------------------------------------------------------

    private void Collect(Execution x, Action<float[]> then)
    {
        x.Phase = Phase.Collecting;
        x.States.Clear();
        x.OnCollected = then;
        foreach (var shard in x.Shards) shard!.Tell(GetShardState.Instance, Self);
    }

    private void OnShardState(ShardState s)
    {
        if (_exec is not { Phase: Phase.Collecting } x || !x.Shards.Any(r => r!.Equals(Sender))) return;
        x.States[s.ShardIndex] = s;
        if (x.States.Count < x.Layout.Count) return;
        var parameters = new float[x.Layout.ParameterCount];
        foreach (var state in x.States.Values) state.Values.CopyTo(parameters, state.Offset);
        x.OnCollected!(parameters);
    }

    private void Evaluate(Execution x, int epoch, float[] parameters)
    {
        var self = Self;
        int generation = x.Generation;
        Task.Run(() => RunEvaluation.Evaluate(x.Plan, parameters, x.Data.Validation)).ContinueWith(t =>
            self.Tell(new Evaluated(generation, epoch, t.IsCompletedSuccessfully ? t.Result : null, parameters, t.Exception?.GetBaseException().Message)));
    }

    private void OnEvaluated(Evaluated m)
    {
        if (_exec is not { Phase: Phase.Collecting } x || x.Generation != m.Generation) return;
        if (m.Metrics is null) { Fail(x, $"validation failed: {m.Error}"); return; }
        double lr = x.Plan.LearningRate(m.Epoch, ValidationLosses(x.Run));
        var metrics = new EpochMetrics(m.Epoch, x.EpochSamples > 0 ? x.EpochLoss / x.EpochSamples : double.NaN, m.Metrics.Loss, m.Metrics.Accuracy, lr,
            x.Rates.Values.Sum());
        x.EpochLoss = 0;
        x.EpochSamples = 0;
        if (m.Metrics.Accuracy > x.BestValidation + x.Plan.Spec.Training.EarlyStoppingMinDelta)
        {
            x.BestValidation = m.Metrics.Accuracy;
            x.Best = m.Parameters;
        }
        Persist(new EpochEnded(x.Run.Id, metrics), e =>
        {
            x.Run.Apply(e);
            Publish(new RunEvent("EpochEnded", x.Run.Id, DateTimeOffset.UtcNow, Epoch: m.Epoch, Step: x.Run.Step, TotalSteps: x.Plan.TotalSteps,
                Loss: metrics.TrainLoss, SamplesPerSecond: metrics.SamplesPerSecond, ValidationAccuracy: metrics.ValidationAccuracy,
                Message: $"val_loss={metrics.ValidationLoss:0.0000} lr={lr:g4}"));
            Continue(x, x.Run.Step);
        });
    }

    private void Finish(Execution x)
    {
        if (x.Best is null) { Collect(x, p => { x.Best = p; Finish(x); }); return; }
        x.Phase = Phase.Finishing;
        var self = Self;
        var best = x.Best;
        int generation = x.Generation;
        Task.Run(() => RunEvaluation.Evaluate(x.Plan, best, x.Data.Test)).ContinueWith(t =>
            self.Tell(new Tested(generation, t.IsCompletedSuccessfully ? t.Result.Accuracy : double.NaN, t.Exception?.GetBaseException().Message)));
    }

    private void OnTested(Tested m)
    {
        if (_exec is not { Phase: Phase.Finishing } x || x.Generation != m.Generation) return;
        if (m.Error is not null) { Fail(x, $"test evaluation failed: {m.Error}"); return; }
        double bestValidation = x.Run.History.Count > 0 ? x.Run.History.Max(h => h.ValidationAccuracy) : double.NaN;
        Persist(new RunCompleted(x.Run.Id, m.Accuracy, bestValidation, DateTimeOffset.UtcNow), e =>
        {
            x.Run.Apply(e);
            Publish(new RunEvent("RunEnded", x.Run.Id, e.At, Status: RunStatus.Completed, Step: x.Run.Step, TotalSteps: x.Plan.TotalSteps,
                ValidationAccuracy: bestValidation, TestAccuracy: m.Accuracy));
        });
        Change(x.Run, RunStatus.Completed);
        Release(x);
    }

    private void Fail(Execution x, string reason)
    {
        Log.Error($"Run {x.Run.Id} failed: {reason}");
        Change(x.Run, RunStatus.Failed, reason);
        Publish(new RunEvent("RunEnded", x.Run.Id, DateTimeOffset.UtcNow, Status: RunStatus.Failed, Message: reason));
        Release(x);
    }

    private void Release(Execution x)
    {
        Timers.Cancel("init");
        Timers.Cancel("hand-over");
        LetLeave(x, x.Run.Step);
        foreach (var s in x.Layout.Shards)
            _settings.ShardRegion.Tell(new ShardingEnvelope(ShardEntity.EntityId(x.Run.Id, s.Index), new ReleaseShard(x.Run.Id)), Self);
        foreach (var shard in x.Shards) if (shard is not null) Context.Unwatch(shard);
        x.Data.Dispose();
        _exec = null;
        Self.Tell(TryStart.Instance);
    }
}

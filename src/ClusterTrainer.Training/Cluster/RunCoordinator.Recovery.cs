using ClusterTrainer.Actors;
using ClusterTrainer.Persistence.Sql.Checkpoints;
using ClusterTrainer.Training.Control;
using ClusterTrainer.Training.Distributed;
using ClusterTrainer.Training.Distributed.ParameterServer;

namespace ClusterTrainer.Training.Cluster;

// Failures and operator requests of the active run.
public sealed partial class RunCoordinator
{
    /// <summary>A worker of the running generation is gone: go on from the shards' state when they agree on it.</summary>
    private void OnWorkerLost(string node)
    {
        if (_exec is not { } x) return;
        Publish(new RunEvent("WorkerLeft", x.Run.Id, DateTimeOffset.UtcNow, Step: x.Run.Step, Message: node));
        if (x.Phase is not (Phase.Starting or Phase.Training) || x.Workers.All(w => w.Node != node)) return;
        x.Phase = Phase.Recovering;
        int generation = x.Generation;
        var shards = x.Shards.ToArray();
        var self = Self;
        if (shards.Any(s => s is null)) { RestoreLatest(); return; }
        Task.WhenAll(shards.Select(s => s!.Ask<ShardCounters>(GetShardCounters.Instance, TimeSpan.FromSeconds(5)))).ContinueWith(t =>
            self.Tell(new Probed(generation, t.IsCompletedSuccessfully ? t.Result.Select(c => c.Version).ToArray() : null)));
    }

    private void OnProbed(Probed m)
    {
        if (_exec is not { Phase: Phase.Recovering } x || x.Generation != m.Generation) return;
        if (m.Versions is { Length: > 0 } v && x.Plan.Policy.IsStepwise && v.All(n => n == v[0]) && v[0] >= x.From)
        {
            Log.Info($"Run {x.Run.Id}: every shard is at step {v[0]}; the remaining workers go on from there.");
            Publish(new RunEvent("Recovery", x.Run.Id, DateTimeOffset.UtcNow, Step: v[0], Message: "workers reassigned; shards kept their state"));
            x.Run.Step = v[0];
            Begin(ShardStart.Keep, v[0], null);
            return;
        }
        Log.Warning($"Run {x.Run.Id}: the shards do not agree on a step ({(m.Versions is null ? "no answer" : string.Join(",", m.Versions))}); rolling back to the last checkpoint.");
        RestoreLatest();
    }

    private void OnShardTerminated(IActorRef shard)
    {
        if (_exec is not { } x || !x.Shards.Any(s => shard.Equals(s))) return;
        for (int i = 0; i < x.Shards.Length; i++)
            if (shard.Equals(x.Shards[i])) { x.Shards[i] = null; x.HandingOver.Remove(i); }
        if (x.Phase == Phase.HandingOver)
        {
            if (x.HandingOver.Count > 0 || x.CoordinatorLeaving) return;
            Timers.Cancel("hand-over");
            Log.Info($"Run {x.Run.Id}: the leaving node's shards are handed off; every shard restores the checkpoint of step {x.Run.LastCheckpointStep}.");
            RestoreLatest();
            return;
        }
        if (x.Phase is Phase.Idle or Phase.Finishing) return;
        Log.Warning($"Run {x.Run.Id}: parameter shard at {shard.Path} is gone; every shard rolls back to the last checkpoint.");
        Publish(new RunEvent("Recovery", x.Run.Id, DateTimeOffset.UtcNow, Step: x.Run.LastCheckpointStep ?? 0, Message: "a parameter-server node died; restoring the last checkpoint"));
        RestoreLatest();
    }

    private void OnShardFailed(ShardFailed m)
    {
        if (_exec is not { } x || x.Run.Id != m.RunId || x.Generation != m.Generation) return;
        if (x.Phase == Phase.Checkpointing)
        {
            Log.Error($"Run {x.Run.Id}: shard {m.Index} could not write its checkpoint part ({m.Reason}); carrying on without this checkpoint.");
            Publish(new RunEvent("Checkpoint", x.Run.Id, DateTimeOffset.UtcNow, Step: x.Run.Step, Message: $"checkpoint failed: {m.Reason}"));
            AfterCheckpoint(x.Run.Step);
            return;
        }
        if (x.Phase == Phase.Starting) Fail(x, $"shard {m.Index} could not start: {m.Reason}");
    }

    // ---- graceful leave of a ps or coordinator node -----------------------------------------------------------------
    //
    //   NodeLeaving(node) --node holds neither this singleton nor a shard of the active run, or none training--> NodeMayLeave
    //          |
    //          v  (the generation is ended early, EndEarly, and its sync point then always takes a checkpoint)
    //   checkpoint committed at step S --> NodeMayLeave(S) to the node --> it hands its shards / the singleton off
    //     ps node:          every shard of the node Terminated --> all shards restore the checkpoint of S here
    //                       (the node does not go within 30 s: the shards restore S where they are)
    //     coordinator node: nothing new starts; the next coordinator replays the journal and resumes from S
    //   No step is lost either way: the run goes on from the step it had reached.

    private void OnNodeLeaving(NodeLeaving m)
    {
        var x = _exec;
        bool mine = m.Address == SelfAddress.ToString();
        if (x is null || x.Phase is Phase.Idle or Phase.Finishing || (!mine && !x.Shards.Any(s => s is not null && NodeOf(s) == m.Address)))
        {
            Sender.Tell(new NodeMayLeave(m.Address, x?.Run.Id, x?.Run.Step ?? 0));
            return;
        }
        x.Leaving.Add((m.Address, Sender));
        x.CoordinatorLeaving |= mine;
        EndEarly(x);
        Log.Info($"Run {x.Run.Id}: node {m.Address} is leaving; it hands over after the checkpoint of the next sync point.");
        Publish(new RunEvent("NodeLeaving", x.Run.Id, DateTimeOffset.UtcNow, Step: x.Run.Step, Message: $"{m.Address} leaves after the next checkpoint"));
    }

    /// <summary>At a sync point with its checkpoint committed: the leaving nodes may hand their shards off.</summary>
    private void HandOver(Execution x, long step)
    {
        var leaving = x.Leaving.Select(l => l.Address).ToHashSet(StringComparer.Ordinal);
        x.HandingOver.Clear();
        for (int i = 0; i < x.Shards.Length; i++)
            if (x.Shards[i] is { } s && leaving.Contains(NodeOf(s))) x.HandingOver.Add(i);
        if (x.Run.LastCheckpointStep != step)
            Log.Warning($"Run {x.Run.Id}: no checkpoint at step {step} (the last is {x.Run.LastCheckpointStep}); the hand-over rolls back to it.");
        LetLeave(x, step);
        if (x.CoordinatorLeaving)
        {
            x.Phase = Phase.HandingOver;
            Publish(new RunEvent("Recovery", x.Run.Id, DateTimeOffset.UtcNow, Step: step,
                Message: $"the coordinator hands over at the checkpoint of step {step}; the next one resumes there"));
            return;
        }
        if (x.HandingOver.Count == 0) { Begin(ShardStart.Keep, step, null); return; }
        x.Phase = Phase.HandingOver;
        Publish(new RunEvent("Recovery", x.Run.Id, DateTimeOffset.UtcNow, Step: step,
            Message: $"{x.HandingOver.Count} shard(s) handed over from leaving ps node(s) at the checkpoint of step {step}"));
        Timers.StartSingleTimer("hand-over", new HandOverTimeout(x.Generation), TimeSpan.FromSeconds(30));
    }

    private void OnHandOverTimeout(HandOverTimeout m)
    {
        if (_exec is not { Phase: Phase.HandingOver, CoordinatorLeaving: false } x || x.Generation != m.Generation) return;
        Log.Warning($"Run {x.Run.Id}: the leaving ps node kept its shards for 30 s; every shard restores the checkpoint of step {x.Run.LastCheckpointStep} where it is.");
        x.HandingOver.Clear();
        RestoreLatest();
    }

    private void LetLeave(Execution x, long step)
    {
        foreach (var (address, replyTo) in x.Leaving) replyTo.Tell(new NodeMayLeave(address, x.Run.Id, step));
        x.Leaving.Clear();
    }

    /// <summary>The node address of a shard entity (the coordinator's own for a local one).</summary>
    private string NodeOf(IActorRef shard) =>
        (shard.Path.Address.HasLocalScope ? SelfAddress : shard.Path.Address).ToString();

    /// <summary>Every shard from the last committed checkpoint (verified; a bad one falls back to the previous), or fresh.</summary>
    private void RestoreLatest(CheckpointManifest? chosen = null, IActorRef? replyTo = null)
    {
        var x = _exec!;
        x.Phase = Phase.Recovering;
        x.Generation = Math.Max(x.Generation, x.Run.Generation) + 1; // anything still answering the old generation is ignored
        var self = Self;
        var runId = x.Run.Id;
        if (chosen is not null) { self.Tell(new Restored(runId, chosen, null, replyTo)); return; }
        _checkpoints.LoadLatestAsync(runId, fallBackToPrevious: true).ContinueWith(t =>
        {
            if (!t.IsCompletedSuccessfully) { self.Tell(new Restored(runId, null, t.Exception!.GetBaseException().Message, replyTo)); return; }
            foreach (var warning in t.Result?.Warnings ?? []) Context.System.EventStream.Publish(new LogEvent(LogLevel.Warning, DateTimeOffset.UtcNow, "run-coordinator", warning, null));
            self.Tell(new Restored(runId, t.Result?.Manifest, null, replyTo));
        });
    }

    private void OnRestored(Restored m)
    {
        if (_exec is not { Phase: Phase.Recovering } x || x.Run.Id != m.RunId) return;
        if (m.Error is not null) { Fail(x, $"cannot load the last checkpoint: {m.Error}"); return; }
        long from = m.Manifest?.Step ?? 0;
        x.Run.Step = from;
        x.EpochLoss = 0;
        x.EpochSamples = 0;
        if (m.ReplyTo is not null) Reply(m.ReplyTo, x.Run.ToInfo());
        Begin(m.Manifest is null ? ShardStart.Fresh : ShardStart.Restore, from, m.Manifest);
    }

    // ---- operator requests ---------------------------------------------------------------------------------------

    private RunInfo Pause(RunRecord run)
    {
        if (run.Status != RunStatus.Running)
            throw new ControlException(ControlFailure.Conflict, $"Run {run.Id} is {run.Status}; only a Running run can be paused.");
        if (_exec is { } x && x.Run == run && x.Phase != Phase.Idle)
        {
            x.After = After.Pause; // takes effect at the next sync point, a step or two from now
            EndEarly(x);
        }
        else Change(run, RunStatus.Paused, "paused by request");
        return run.ToInfo();
    }

    private RunInfo Resume(RunRecord run, CheckpointManifest? from)
    {
        if (run.Status is RunStatus.Running or RunStatus.Pending or RunStatus.Completed)
            throw new ControlException(ControlFailure.Conflict, $"Run {run.Id} is {run.Status}; only a Paused, Stopped or Failed run can be resumed.");
        if (_exec is { } other && other.Run != run)
            throw new ControlException(ControlFailure.Conflict, $"Run {other.Run.Id} is active; pause or stop it first (one run trains at a time).");
        Change(run, RunStatus.Running, "resumed by request");
        if (_exec is { Phase: Phase.Idle, PendingBegin: null } x) Begin(ShardStart.Keep, run.Step, null);
        else Self.Tell(TryStart.Instance);
        return run.ToInfo();
    }

    private RunInfo Stop(RunRecord run)
    {
        if (run.IsFinished) throw new ControlException(ControlFailure.Conflict, $"Run {run.Id} is already {run.Status}.");
        if (_exec is { } x && x.Run == run && x.Phase is Phase.Training or Phase.Starting or Phase.Checkpointing or Phase.Collecting)
        {
            x.After = After.Stop; // at the next sync point, after its checkpoint
            EndEarly(x);
            return run.ToInfo();
        }
        Change(run, RunStatus.Stopped, "stopped by request");
        if (_exec is { } idle && idle.Run == run) Release(idle);
        return run.ToInfo();
    }

    private void RestoreTo(RunRecord run, long step, IActorRef replyTo)
    {
        if (_exec is { } other && other.Run != run)
            throw new ControlException(ControlFailure.Conflict, $"Run {other.Run.Id} is active; pause or stop it first (one run trains at a time).");
        if (run.Status is RunStatus.Pending)
            throw new ControlException(ControlFailure.Conflict, $"Run {run.Id} has not started; it has no checkpoints.");
        var self = Self;
        _checkpoints.LoadAsync(run.Id, step).ContinueWith(t => self.Tell(t.IsCompletedSuccessfully
            ? new RestoreRequested(run.Id, t.Result.Manifest, null, replyTo)
            : new RestoreRequested(run.Id, null, t.Exception!.GetBaseException().Message, replyTo)));
    }

    private sealed record RestoreRequested(string RunId, CheckpointManifest? Manifest, string? Error, IActorRef ReplyTo);

    private void OnRestoreRequested(RestoreRequested m)
    {
        var run = RunOf(m.RunId)!;
        if (m.Manifest is null) { ReplyError(m.ReplyTo, new ControlException(ControlFailure.NotFound, m.Error ?? "no such checkpoint")); return; }
        if (_exec is { } other && other.Run != run)
        {
            ReplyError(m.ReplyTo, new ControlException(ControlFailure.Conflict, $"Run {other.Run.Id} is active; pause or stop it first."));
            return;
        }
        if (run.Status != RunStatus.Running) Change(run, RunStatus.Running, $"restored to checkpoint step {m.Manifest.Step}");
        if (_exec is null)
        {
            var spec = RunPlan.ParseSpec(run.SpecYaml, run.Id);
            var data = RunData.Load(spec, _settings.DataDir);
            var plan = new RunPlan(spec, run.SpecYaml, run.Width, run.MaxShardElements, data.Train.Count);
            _exec = new Execution(run, plan, data, plan.Layout(run.ParameterCount));
        }
        _exec.After = After.Continue;
        RestoreLatest(m.Manifest, m.ReplyTo);
    }

    private void ShardStats(string? runId, IActorRef replyTo)
    {
        if (_exec is not { } x || runId is not null && runId != x.Run.Id || x.Shards.Any(s => s is null)) { Reply(replyTo, Array.Empty<ShardInfo>()); return; }
        var query = new GetShardInfo(x.Run.Id);
        Task.WhenAll(x.Shards.Select(s => s!.Ask<ShardEntityInfo>(query, TimeSpan.FromSeconds(5)))).ContinueWith(t =>
        {
            if (!t.IsCompletedSuccessfully) { ReplyError(replyTo, new ControlException(ControlFailure.Unavailable, "not every shard answered within 5 s; try again")); return; }
            Reply(replyTo, t.Result.Select(i => new ShardInfo(i.RunId, i.Shard, i.Node, i.Offset, i.Length, i.Version, i.AppliedSinceStart,
                i.DuplicatesDropped, i.StaleDropped, i.BytesIn, i.BytesOut)).ToArray());
        });
    }
}

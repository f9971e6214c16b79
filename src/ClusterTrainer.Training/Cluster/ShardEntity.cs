using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Serialization;
using ClusterTrainer.Training.Checkpoints;
using ClusterTrainer.Training.Distributed;
using ClusterTrainer.Training.Distributed.ParameterServer;
using ClusterTrainer.Persistence.Sql.Checkpoints;

namespace ClusterTrainer.Training.Cluster;

/// <summary>
/// A parameter shard as a sharded entity (type <see cref="TypeName"/>, entity id <c>{runId}-{index}</c>) on a
/// <c>ps</c> node. The coordinator starts each generation with <see cref="InitShard"/> through the shard region
/// (so a shard whose node died is re-homed by sharding); workers then talk to the entity directly by its path.
/// <code>
///   [empty] --InitShard Fresh/Restore--> [serving gen g] --InitShard g' &gt; g (Keep/Restore/Fresh)--> [serving gen g']
///      |  InitShard Keep: ShardLost            |  CheckpointShard: write part (temp, fsync, rename), ShardCheckpointed
///      |  push/pull: dropped                   |  ReleaseShard: stop
/// </code>
/// Pushes and pulls of workers outside the generation's live set are refused (counted as Rejected / ignored pulls).
/// </summary>
public sealed class ShardEntity : ReceiveActor
{
    public const string TypeName = "ps";

    private readonly string _checkpointRoot;
    private ShardServer? _server;
    private string? _runId;
    private int _generation = -1;
    private long _startedFrom;
    private readonly ILoggingAdapter _log;

    public ShardEntity(string checkpointRoot)
    {
        _checkpointRoot = checkpointRoot;
        _log = Context.GetLogger();
        Receive<InitShard>(OnInit);
        Receive<PushGradient>(OnPush);
        Receive<TensorPayload>(t =>
        {
            if (_server is null) { t.Dispose(); return; }
            if (!_server.TryPush(t, Self)) _log.Warning($"Shard entity: tensor '{t.Name}' is not a push; dropped.");
        });
        Receive<PullParameters>(p => _server?.Pull(p, Sender, Self));
        Receive<ShardNormPart>(m => { if (m.RunId == _runId && m.Generation == _generation) _server?.AddNormPart(m.Step, m.Index, m.SquaredNorm, Self); });
        Receive<CheckpointShard>(OnCheckpoint);
        Receive<SetLearningRate>(m => _server?.Shard.SetLearningRate(m.Lr));
        Receive<GetShardCounters>(_ => { if (_server is not null) Sender.Tell(_server.Shard.Counters); });
        Receive<GetShardState>(_ => { if (_server is not null) Sender.Tell(_server.Shard.ExportState()); });
        Receive<GetShardInfo>(m => { if (_server is not null && m.RunId == _runId) Sender.Tell(Info()); });
        Receive<ReleaseShard>(m => { if (m.RunId == _runId) Context.Stop(Self); });
    }

    public static string EntityId(string runId, int index) => $"{runId}-{index}";

    private void OnInit(InitShard m)
    {
        if (m.RunId == _runId && m.Generation < _generation) return; // a late copy of an older generation's request
        try
        {
            switch (m.Start)
            {
                case ShardStart.Keep when _server is null || _runId != m.RunId:
                    Sender.Tell(new ShardLost(m.RunId, m.Generation, m.Index));
                    return;
                case ShardStart.Keep:
                    break;
                case ShardStart.Fresh:
                    Replace(m, InitialSlice(m));
                    break;
                case ShardStart.Restore:
                    var part = m.Part ?? throw new InvalidOperationException("InitShard Restore names no checkpoint part.");
                    var data = PartFile.Read(Path.Combine(_checkpointRoot, m.RunId), part);
                    Replace(m, data.Values);
                    _server!.Shard.ImportState(ShardCheckpoint.ToState(data, m.Index, m.Length));
                    break;
            }
            var shard = _server!.Shard;
            shard.Reset(m.Workers, m.FromStep);
            shard.SetLearningRate(m.LearningRate);
            _server.DropParked();
            _generation = m.Generation;
            _startedFrom = shard.Version;
            Sender.Tell(new ShardReady(m.RunId, m.Generation, m.Index, shard.Version));
        }
        catch (Exception e)
        {
            _log.Error(e, $"Shard {m.Index} of run {m.RunId} could not start generation {m.Generation}: {e.Message}");
            Sender.Tell(new ShardFailed(m.RunId, m.Generation, m.Index, e.Message));
        }
    }

    private float[] InitialSlice(InitShard m)
    {
        var spec = RunPlan.ParseSpec(m.SpecYaml, m.RunId);
        var plan = new RunPlan(spec, m.SpecYaml, m.Width, m.MaxShardElements, trainCount: 1);
        var all = plan.InitialParameters();
        if (m.Offset + m.Length > all.Length)
            throw new InvalidOperationException($"Shard {m.Index} [{m.Offset}, +{m.Length}) lies outside the model's {all.Length} parameters.");
        return all.AsSpan((int)m.Offset, (int)m.Length).ToArray();
    }

    private void Replace(InitShard m, float[] values)
    {
        _server?.Retire();
        var spec = RunPlan.ParseSpec(m.SpecYaml, m.RunId);
        var policy = ShardPolicy.From(spec.Sync);
        var shard = new ParameterShard(new ShardSpec(m.Index, m.Offset, m.Length), values, spec.Optimizer, policy, m.Workers)
        {
            Clipping = policy.IsStepwise ? GradientClipping.From(spec.Training) : null,
        };
        var region = Actors.Sharding.ClusterSharding.Get(Context.System).ShardRegion(TypeName);
        string runId = m.RunId;
        int index = m.Index, count = Math.Max(1, m.ShardCount);
        _server = new ShardServer(shard)
        {
            IsGenerationScoped = true,
            ShardCount = count,
            // Read _generation when sending: the server outlives InitShard Keep of later generations.
            ShareNormPart = (step, part) =>
            {
                for (int j = 0; j < count; j++)
                    if (j != index) region.Tell(new Actors.Sharding.ShardingEnvelope(EntityId(runId, j), new ShardNormPart(runId, _generation, step, index, part)), Self);
            },
        };
        _runId = m.RunId;
    }

    private void OnPush(PushGradient push)
    {
        if (_server is null) { push.Gradient.Dispose(); return; }
        _server.Push(push, Self);
    }

    private void OnCheckpoint(CheckpointShard m)
    {
        if (_server is null || m.RunId != _runId || m.Generation != _generation)
        {
            Sender.Tell(new ShardFailed(m.RunId, m.Generation, -1, $"this shard serves {(_runId is null ? "no run" : $"run {_runId} generation {_generation}")}"));
            return;
        }
        var shard = _server.Shard;
        try
        {
            var state = shard.ExportState();
            var header = new ShardPartHeader(shard.Spec.Index, shard.Spec.Offset, m.Step, shard.Version);
            var directory = Path.Combine(_checkpointRoot, m.RunId);
            var part = PartFile.Write(directory, CheckpointManager.PartFileName(m.Step, shard.Spec.Index, Guid.NewGuid().ToString("N")[..8]),
                header, state.Values, ShardCheckpoint.ToEntries(state));
            Sender.Tell(new ShardCheckpointed(m.RunId, m.Generation, shard.Spec.Index, part));
        }
        catch (Exception e)
        {
            _log.Error(e, $"Shard {shard.Spec.Index} of run {m.RunId} could not write checkpoint step {m.Step}: {e.Message}");
            Sender.Tell(new ShardFailed(m.RunId, m.Generation, shard.Spec.Index, e.Message));
        }
    }

    private ShardEntityInfo Info()
    {
        var shard = _server!.Shard;
        var c = shard.Counters;
        return new ShardEntityInfo(_runId!, shard.Spec.Index, Self.Path.Address.ToString(), shard.Spec.Offset, shard.Spec.Length, c.Version,
            shard.AppliedSteps, _startedFrom, c.Duplicates, c.Rejected + c.LateDrops, _server.BytesIn, _server.BytesOut, _generation);
    }

    protected override void PostStop() => _server?.Retire();
}

/// <summary>
/// A shard's counters for `ctr shard stats` and the tests: <see cref="AppliedSinceStart"/> optimizer steps applied since
/// this generation started at version <see cref="StartedFrom"/>. In sync mode Version = StartedFrom + AppliedSinceStart
/// means no step was applied twice.
/// </summary>
public sealed record ShardEntityInfo(string RunId, int Shard, string Node, long Offset, long Length, long Version, long AppliedSinceStart,
    long StartedFrom, long DuplicatesDropped, long StaleDropped, long BytesIn, long BytesOut, int Generation);

/// <summary>Converts between a shard's exported state and its checkpoint part.</summary>
public static class ShardCheckpoint
{
    public static IReadOnlyList<OptimizerStateEntry> ToEntries(ShardState state)
    {
        var entries = new List<OptimizerStateEntry> { new("step", BitConverter.GetBytes(state.OptimizerStep)) };
        foreach (var a in state.OptimizerState)
            entries.Add(OptimizerStateEntry.FromFloats(a.Shape.Length == 0 ? "scalar:" + a.Name : a.Name, a.Data));
        return entries;
    }

    public static ShardState ToState(ShardPartData data, int index, long length)
    {
        long step = 0;
        var arrays = new List<StateArray>();
        foreach (var e in data.OptimizerState)
        {
            if (e.Name == "step") { step = BitConverter.ToInt64(e.Data.Span); continue; }
            bool scalar = e.Name.StartsWith("scalar:", StringComparison.Ordinal);
            var values = e.ToFloats();
            arrays.Add(new StateArray(scalar ? e.Name["scalar:".Length..] : e.Name, scalar ? [] : [values.Length], values));
        }
        return new ShardState(index, data.Offset, length, data.Version, data.Values, step, arrays);
    }
}

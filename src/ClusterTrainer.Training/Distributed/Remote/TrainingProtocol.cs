using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Remote;
using ClusterTrainer.Actors.Serialization;
using ClusterTrainer.Training.Distributed.ParameterServer;
using static ClusterTrainer.Training.Distributed.Remote.WireFields;

namespace ClusterTrainer.Training.Distributed.Remote;

/// <summary>
/// The wire ids and binary codecs of every message of the distributed trainer (Messages.cs, ShardCounters,
/// ShardState). Ids live in the training range of <see cref="TypeIds"/> (1000..1999); they are part of the
/// wire protocol: never renumber or reuse one, append new messages at the end. Every node of a run calls
/// <see cref="Register(ActorSystem)"/> before any training message is sent or received.
/// </summary>
public static class TrainingProtocol
{
    public const ushort PushGradientId = TypeIds.TrainingFirst + 0;
    public const ushort PullParametersId = TypeIds.TrainingFirst + 1;
    public const ushort ParameterSliceId = TypeIds.TrainingFirst + 2;
    public const ushort WorkerLeftId = TypeIds.TrainingFirst + 3;
    public const ushort WorkerJoinedId = TypeIds.TrainingFirst + 4;
    public const ushort SetLearningRateId = TypeIds.TrainingFirst + 5;
    public const ushort GetShardCountersId = TypeIds.TrainingFirst + 6;
    public const ushort GetShardStateId = TypeIds.TrainingFirst + 7;
    public const ushort BeginTrainingId = TypeIds.TrainingFirst + 8;
    public const ushort StepLossId = TypeIds.TrainingFirst + 9;
    public const ushort WorkerFinishedId = TypeIds.TrainingFirst + 10;
    public const ushort StartRunId = TypeIds.TrainingFirst + 11;
    public const ushort RunResultId = TypeIds.TrainingFirst + 12;
    public const ushort RunFailedId = TypeIds.TrainingFirst + 13;
    public const ushort RemoveWorkerId = TypeIds.TrainingFirst + 14;
    public const ushort ShardCountersId = TypeIds.TrainingFirst + 15;
    public const ushort ShardStateId = TypeIds.TrainingFirst + 16;

    /// <summary>Registers the training messages with this remote system's registry (idempotent).</summary>
    public static void Register(ActorSystem system) => Register(Remoting.Get(system).Registry);

    /// <summary>Registers the training messages with <paramref name="r"/> (idempotent: same type, same id is a no-op).</summary>
    public static SerializationRegistry Register(SerializationRegistry r)
    {
        ArgumentNullException.ThrowIfNull(r);
        // Data plane.
        r.Register<PushGradient>(PushGradientId, (w, m) =>
        {
            w.WriteInt32(m.Shard); w.WriteString(m.Worker); w.WriteInt64(m.Step); w.WriteInt32(m.Samples);
            WriteTensor(w, m.Gradient);
        }, (ref MessageReader rd) => new PushGradient(ReadNonNegative(ref rd, "PushGradient.Shard"), rd.ReadRequiredString(),
            rd.ReadInt64(), ReadNonNegative(ref rd, "PushGradient.Samples"), ReadTensor(ref rd)));
        r.Register<PullParameters>(PullParametersId, (w, m) => { w.WriteInt32(m.Shard); w.WriteString(m.Worker); w.WriteInt64(m.Step); },
            (ref MessageReader rd) => new PullParameters(ReadNonNegative(ref rd, "PullParameters.Shard"), rd.ReadRequiredString(), rd.ReadInt64()));
        r.Register<ParameterSlice>(ParameterSliceId, (w, m) => { w.WriteInt32(m.Shard); w.WriteInt64(m.Version); WriteTensor(w, m.Values); },
            (ref MessageReader rd) => new ParameterSlice(ReadNonNegative(ref rd, "ParameterSlice.Shard"), rd.ReadInt64(), ReadTensor(ref rd)));

        // Control plane.
        r.Register<WorkerLeft>(WorkerLeftId, (w, m) => w.WriteString(m.Worker), (ref MessageReader rd) => new WorkerLeft(rd.ReadRequiredString()));
        r.Register<WorkerJoined>(WorkerJoinedId, (w, m) => w.WriteString(m.Worker), (ref MessageReader rd) => new WorkerJoined(rd.ReadRequiredString()));
        r.Register<SetLearningRate>(SetLearningRateId, (w, m) => w.WriteDouble(m.Lr), (ref MessageReader rd) => new SetLearningRate(rd.ReadDouble()));
        r.RegisterSingleton(GetShardCountersId, GetShardCounters.Instance);
        r.RegisterSingleton(GetShardStateId, GetShardState.Instance);
        r.RegisterSingleton(BeginTrainingId, BeginTraining.Instance);
        r.RegisterSingleton(StartRunId, StartRun.Instance);
        r.Register<StepLoss>(StepLossId, WriteStepLoss, ReadStepLoss);
        r.Register<WorkerFinished>(WorkerFinishedId, (w, m) => { w.WriteString(m.Worker); w.WriteInt64(m.Steps); },
            (ref MessageReader rd) => new WorkerFinished(rd.ReadRequiredString(), rd.ReadInt64()));
        r.Register<RunResult>(RunResultId, (w, m) =>
        {
            WriteFloats(w, m.Parameters);
            WriteList(w, m.Losses, WriteStepLoss);
            WriteList(w, m.Shards, WriteCounters);
        }, (ref MessageReader rd) => new RunResult(ReadFloats(ref rd), ReadList<StepLoss>(ref rd, 20, ReadStepLoss),
            ReadList<ShardCounters>(ref rd, 60, ReadCounters)));
        r.Register<RunFailed>(RunFailedId, (w, m) => w.WriteString(m.Reason), (ref MessageReader rd) => new RunFailed(rd.ReadRequiredString()));
        r.Register<RemoveWorker>(RemoveWorkerId, (w, m) => w.WriteString(m.Worker), (ref MessageReader rd) => new RemoveWorker(rd.ReadRequiredString()));
        r.Register<ShardCounters>(ShardCountersId, WriteCounters, ReadCounters);
        r.Register<ShardState>(ShardStateId, ShardStateCodecs.Write, ShardStateCodecs.Read);
        return r;
    }

    private static void WriteStepLoss(MessageWriter w, StepLoss m)
    {
        w.WriteString(m.Worker); w.WriteInt64(m.Step); w.WriteSingle(m.Loss); w.WriteInt32(m.Samples);
    }

    private static StepLoss ReadStepLoss(ref MessageReader rd) =>
        new(rd.ReadRequiredString(), rd.ReadInt64(), rd.ReadSingle(), ReadNonNegative(ref rd, "StepLoss.Samples"));

    private static void WriteCounters(MessageWriter w, ShardCounters c)
    {
        w.WriteInt32(c.ShardIndex); w.WriteInt64(c.Version); w.WriteInt64(c.AppliedSteps); w.WriteInt64(c.GradientsTaken);
        w.WriteInt64(c.Duplicates); w.WriteInt64(c.LateDrops); w.WriteInt64(c.Rejected); w.WriteInt64(c.MaxLead);
    }

    private static ShardCounters ReadCounters(ref MessageReader rd) =>
        new(ReadNonNegative(ref rd, "ShardCounters.ShardIndex"), rd.ReadInt64(), rd.ReadInt64(), rd.ReadInt64(),
            rd.ReadInt64(), rd.ReadInt64(), rd.ReadInt64(), rd.ReadInt64());
}

using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Serialization;
using ClusterTrainer.Training.Runs;

namespace ClusterTrainer.Training.Distributed.ParameterServer;

/// <summary>
/// The actor around one <see cref="ParameterShard"/> in a fixed placement (in-process runs, benchmarks); the
/// pull/push protocol is <see cref="ShardServer"/>'s.
/// </summary>
public sealed class ParameterServerActor : ReceiveActor
{
    private readonly ShardServer _server;

    public ParameterServerActor(ShardSpec spec, float[] initialValues, OptimizerSpec optimizer, ShardPolicy policy,
        IReadOnlyList<string> workers)
    {
        _server = new ShardServer(new ParameterShard(spec, initialValues, optimizer, policy, workers));
        var shard = _server.Shard;
        Receive<PushGradient>(p => _server.Push(p, Self));
        Receive<TensorPayload>(t =>
        {
            if (!_server.TryPush(t, Self)) Context.GetLogger().Warning($"Shard {_server.Shard.Spec.Index}: tensor '{t.Name}' is not a push; dropped.");
        });
        Receive<PullParameters>(p => _server.Pull(p, Sender, Self));
        Receive<WorkerLeft>(m => { shard.Leave(m.Worker); _server.AnswerPulls(Self); });
        Receive<WorkerJoined>(m => { shard.Join(m.Worker); _server.AnswerPulls(Self); });
        Receive<SetLearningRate>(m => shard.SetLearningRate(m.Lr));
        Receive<GetShardCounters>(_ => Sender.Tell(shard.Counters));
        Receive<GetShardState>(_ => Sender.Tell(shard.ExportState()));
    }

    protected override void PostStop() => _server.Retire();
}

using ClusterTrainer.Actors;
using ClusterTrainer.Training.Runs;

namespace ClusterTrainer.Training.Distributed.ParameterServer;

/// <summary>
/// The actor around one <see cref="ParameterShard"/>. Pushes go to the shard; a pull is answered at once when
/// the shard says the worker may proceed, otherwise it is parked and answered after the push (or leave) that
/// makes it possible. Pulls are answered in arrival order.
/// </summary>
public sealed class ParameterServerActor : ReceiveActor
{
    private readonly ParameterShard _shard;
    private readonly List<(PullParameters Pull, IActorRef ReplyTo)> _parked = new();

    public ParameterServerActor(ShardSpec spec, float[] initialValues, OptimizerSpec optimizer, ShardPolicy policy,
        IReadOnlyList<string> workers)
    {
        _shard = new ParameterShard(spec, initialValues, optimizer, policy, workers);
        Receive<PushGradient>(OnPush);
        Receive<PullParameters>(p => { _parked.Add((p, Sender)); AnswerPulls(); });
        Receive<WorkerLeft>(m => { _shard.Leave(m.Worker); AnswerPulls(); });
        Receive<WorkerJoined>(m => { _shard.Join(m.Worker); AnswerPulls(); });
        Receive<SetLearningRate>(m => _shard.SetLearningRate(m.Lr));
        Receive<GetShardCounters>(_ => Sender.Tell(_shard.Counters));
        Receive<GetShardState>(_ => Sender.Tell(_shard.ExportState()));
    }

    private void OnPush(PushGradient push)
    {
        using var payload = push.Gradient;
        CheckShard(push.Shard);
        var outcome = _shard.Push(push.Worker, push.Step, payload.AsFloats(), push.Samples);
        if (outcome == PushOutcome.Applied) AnswerPulls();
    }

    private void AnswerPulls()
    {
        for (int i = 0; i < _parked.Count;)
        {
            var (pull, replyTo) = _parked[i];
            CheckShard(pull.Shard);
            if (!_shard.MayProceed(pull.Worker, pull.Step)) { i++; continue; }
            _parked.RemoveAt(i);
            var values = Payloads.FromFloats(Payloads.ShardName(_shard.Spec.Index), _shard.Version, _shard.Values);
            replyTo.Tell(new ParameterSlice(_shard.Spec.Index, _shard.Version, values), Self);
        }
    }

    private void CheckShard(int index)
    {
        if (index != _shard.Spec.Index)
            throw new InvalidOperationException($"Shard {_shard.Spec.Index} got a message for shard {index}; the sender's layout is wrong.");
    }

    protected override void PostStop() => _shard.Dispose();
}

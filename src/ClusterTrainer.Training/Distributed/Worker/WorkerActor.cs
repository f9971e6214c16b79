using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Serialization;
using ClusterTrainer.Training.Distributed.Compression;
using ClusterTrainer.Training.Distributed.ParameterServer;

namespace ClusterTrainer.Training.Distributed.Worker;

/// <summary>
/// One data-parallel worker. Its loop, driven by messages (nothing blocks the actor):
/// <code>
///   BeginTraining
///        |
///        v             all slices arrived                      step &lt; Steps
///   [pulling step t] --------------------> compute + push t ------------------> [pulling step t+1]
///        |                                      |  step &gt;= Steps (or the shards are already past it)
///        |                                      v
///        +------------------------------> [finished]  (WorkerFinished to the coordinator)
/// </code>
/// In the stepwise modes t is the parameter version the shards published (a worker left behind in backup mode
/// jumps to the newest version); in async and bounded modes t is the worker's own step counter.
/// Step t trains on this worker's part of global batch t of the epoch plan.
/// </summary>
public sealed class WorkerActor : ReceiveActor
{
    private readonly string _id;
    private readonly int _index;
    private readonly TrainingJob _job;
    private readonly IActorRef _coordinator;
    private readonly WorkerStep _step;
    private readonly WorkerExchange _exchange;
    private readonly Dictionary<int, EpochPlan> _plans = new();
    private readonly int _stepsPerEpoch;
    private long _next, _computed;

    public WorkerActor(int index, TrainingJob job, IReadOnlyList<(ShardSpec, IActorRef)> shards, IActorRef coordinator)
    {
        _index = index;
        _id = TrainingJob.WorkerName(index);
        _job = job;
        _coordinator = coordinator;
        _step = new WorkerStep(job.ModelFactory(), job.Loss);
        _exchange = new WorkerExchange(_id, _step, shards);
        _stepsPerEpoch = PlanFor(0).StepsPerEpoch;
        Receive<BeginTraining>(_ => Pull());
        Receive<ParameterSlice>(OnSlice);
        Receive<TensorPayload>(t =>
        {
            if (DataPlane.TryReadSlice(t, out var slice)) OnSlice(slice);
            else t.Dispose();
        });
    }

    // Also pulled once past the last step: the answer confirms every shard has taken this worker's pushes.
    private void Pull() => _exchange.Pull(_next, Self);

    private void OnSlice(ParameterSlice slice)
    {
        if (!_exchange.Take(slice, out long minVersion)) return;
        long step = _job.Policy.IsStepwise ? minVersion : _next;
        if (step >= _job.Steps) { Finish(); return; }
        Compute(step);
        _next = step + 1;
        Pull();
    }

    private void Compute(long step)
    {
        var plan = PlanOf(step, out int within);
        var (inputs, targets) = _job.Data.Batch(plan.WorkerBatch(within, _index));
        int samples = (int)inputs.shape[0];
        float loss;
        using (inputs)
        using (targets)
            loss = _step.Run(inputs, targets);
        _exchange.Push(step, samples, GradientCompression.None, Self, _job.PushRepeats);
        _computed++;
        _coordinator.Tell(new StepLoss(_id, step, loss, samples), Self);
    }

    private EpochPlan PlanOf(long step, out int within)
    {
        int epoch = checked((int)(step / _stepsPerEpoch));
        within = (int)(step % _stepsPerEpoch);
        return PlanFor(epoch);
    }

    private EpochPlan PlanFor(int epoch)
    {
        if (!_plans.TryGetValue(epoch, out var plan))
        {
            if (_plans.Count > 2) _plans.Remove(_plans.Keys.Min());
            _plans[epoch] = plan = _job.PlanFor(epoch);
        }
        return plan;
    }

    private void Finish()
    {
        _coordinator.Tell(new WorkerFinished(_id, _computed), Self);
        Context.Stop(Self);
    }

    protected override void PostStop() => _step.Dispose();
}

using ClusterTrainer.Actors.Serialization;
using System.Diagnostics;
using System.Globalization;
using ClusterTrainer.Actors;
using ClusterTrainer.Actors.Remote;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ClusterTrainer.Training.Distributed;
using ClusterTrainer.Training.Distributed.Compression;
using ClusterTrainer.Training.Distributed.ParameterServer;
using ClusterTrainer.Training.Distributed.Remote;
using ClusterTrainer.Training.Runs;

namespace ClusterTrainer.Bench.Cluster;

/// <summary>
/// Part 2, node side: a parameter-server process holding an N-parameter flat vector in shards of the bench's
/// bound (real <see cref="ParameterServerActor"/>s, sync mode, plain SGD so the optimizer costs little next to
/// the transfer), and a worker process whose <see cref="ExchangeDriver"/> pushes every gradient slice and pulls
/// every parameter slice per step with the trainer's own messages over remoting, pushing as the runtime's workers do.
/// </summary>
internal static class ExchangeNodeRoles
{
    public const string Ps = "xchg-ps", Worker = "xchg-worker";
    public const string WorkerId = "worker-0";

    private static ShardLayout Layout(string[] a) => new(long.Parse(a[0], CultureInfo.InvariantCulture), long.Parse(a[1], CultureInfo.InvariantCulture));

    /// <summary><c>node xchg-ps PARAMETERS MAX_SHARD</c>: prints <c>address</c>, then <c>ready</c> once the shards exist.</summary>
    public static int RunPs(string[] a)
    {
        var layout = Layout(a);
        using var node = NodeHost.Start();
        TrainingProtocol.Register(node.System);
        var sgd = OptimizerSpec.Defaults("sgd") with { Lr = 1e-3 };
        foreach (var spec in layout.Shards)
        {
            var initial = new float[spec.Length];
            Array.Fill(initial, 0.5f);
            node.System.ActorOf(Props.CreateBy(() => new ParameterServerActor(spec, initial, sgd, ShardPolicy.Synchronous, [WorkerId])),
                TrainingNodes.ShardName(spec.Index));
        }
        NodeHost.Say($"ready shards={layout.Count}");
        NodeHost.WaitForStdinClose();
        return 0;
    }

    /// <summary>
    /// <c>node xchg-worker PARAMETERS MAX_SHARD WARMUP STEPS</c>: prints <c>address</c>, reads <c>ps ADDRESS</c>,
    /// runs the steps and prints <c>result bytes_per_s=.. bytes=.. seconds=..</c> (payload bytes both ways, timed steps).
    /// </summary>
    public static int RunWorker(string[] a)
    {
        var layout = Layout(a);
        int warmup = int.Parse(a[2], CultureInfo.InvariantCulture), steps = int.Parse(a[3], CultureInfo.InvariantCulture);
        using var node = NodeHost.Start();
        TrainingProtocol.Register(node.System);
        var ps = Address.Parse(NodeHost.Expect("ps")[0]);
        var remoting = Remoting.Get(node.System);
        var shards = layout.Shards.Select(s => (s, remoting.ActorFor(TrainingNodes.PathOf(ps, TrainingNodes.ShardName(s.Index))))).ToArray();
        var gradient = GC.AllocateArray<float>(checked((int)layout.ParameterCount), pinned: true); // borrowed by the pushes: must not move
        Array.Fill(gradient, 1e-3f);
        var driver = node.System.ActorOf(Props.CreateBy(() => new ExchangeDriver(shards, gradient, warmup, steps)), WorkerId);
        var done = driver.Ask(RunExchange.Instance, TimeSpan.FromMinutes(10)).GetAwaiter().GetResult() switch
        {
            ExchangeDone d => d,
            ExchangeFailed f => throw new InvalidOperationException(f.Reason),
            var other => throw new InvalidOperationException($"unexpected answer {other}"),
        };
        NodeHost.Say(string.Create(CultureInfo.InvariantCulture,
            $"result bytes_per_s={done.Bytes / done.Seconds:0} bytes={done.Bytes} seconds={done.Seconds:0.000} version={done.LastVersion}"));
        NodeHost.WaitForStdinClose();
        return 0;
    }
}

internal sealed record RunExchange
{
    public static RunExchange Instance { get; } = new();
}

/// <summary>Payload bytes pushed plus pulled during the timed steps, and how long they took.</summary>
internal sealed record ExchangeDone(long Bytes, double Seconds, long LastVersion);

internal sealed record ExchangeFailed(string Reason);

/// <summary>
/// A worker without a model: each step pushes the gradient slice of step t to every shard and pulls every
/// slice of version t+1 (the shard answers once it applied step t), exactly the traffic of a training step.
/// <code>
///   RunExchange --> [step t: pushes + pulls out] --all slices in--> t+1 &lt; warmup+steps ? next step : reply ExchangeDone
///                    |  (clock and byte count start when step `warmup` begins)
///                    +--a slice of another version--> reply ExchangeFailed, stop
/// </code>
/// </summary>
internal sealed class ExchangeDriver : ReceiveActor
{
    private readonly (ShardSpec Spec, IActorRef Ref)[] _shards;
    private readonly float[] _gradient;
    private readonly int _warmup, _total;
    private readonly Stopwatch _clock = new();
    private IActorRef? _replyTo;
    private long _step, _bytes, _lastVersion;
    private int _awaiting;

    public ExchangeDriver((ShardSpec, IActorRef)[] shards, float[] gradient, int warmup, int steps)
    {
        _shards = shards;
        _gradient = gradient;
        _warmup = warmup;
        _total = warmup + steps;
        Receive<RunExchange>(_ => { _replyTo = Sender; Begin(); });
        Receive<ParameterSlice>(OnSlice);
        Receive<TensorPayload>(t =>
        {
            if (DataPlane.TryReadSlice(t, out var slice)) OnSlice(slice);
            else t.Dispose();
        });
    }

    private void Begin()
    {
        if (_step == _warmup) { _clock.Restart(); _bytes = 0; }
        _awaiting = _shards.Length;
        foreach (var (spec, shard) in _shards)
        {
            // Uncompressed pushes borrow the gradient memory, as the cluster runtime's RunWorker sends them (no copy); the
            // buffer never changes, so the lifetime rule of BorrowedFloats holds.
            // Sent as a bare tensor frame (DataPlane), as the runtime's workers do.
            var payload = BorrowedFloats.Payload(DataPlane.PushName(spec.Index, _step, 1, ExchangeNodeRoles.WorkerId), _step, AddressOf(spec.Offset), (int)spec.Length);
            _bytes += payload.Data.Length;
            shard.Tell(payload, Self);
            shard.Tell(new PullParameters(spec.Index, ExchangeNodeRoles.WorkerId, _step + 1), Self);
        }
    }

    private unsafe nint AddressOf(long offset) =>
        (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_gradient)) + checked((nint)(offset * sizeof(float)));

    private void OnSlice(ParameterSlice slice)
    {
        using (var payload = slice.Values) _bytes += payload.Data.Length;
        if (slice.Version != _step + 1)
        {
            _replyTo!.Tell(new ExchangeFailed($"shard {slice.Shard} answered version {slice.Version} to a pull of {_step + 1}"));
            Context.Stop(Self);
            return;
        }
        _lastVersion = slice.Version;
        if (--_awaiting > 0) return;
        if (++_step < _total) { Begin(); return; }
        _replyTo!.Tell(new ExchangeDone(_bytes, _clock.Elapsed.TotalSeconds, _lastVersion));
    }
}

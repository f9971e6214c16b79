using System.Buffers.Binary;
using ClusterTrainer.Actors.Serialization;
using ClusterTrainer.Training.Distributed;
using ClusterTrainer.Training.Distributed.ParameterServer;
using ClusterTrainer.Training.Distributed.Remote;
using Xunit;

namespace ClusterTrainer.Training.Tests.Distributed.Remote;

/// <summary>Every training message survives the binary codecs unchanged; malformed payloads are refused.</summary>
public sealed class TrainingCodecTests
{
    private static readonly SerializationRegistry Registry = TrainingProtocol.Register(SerializationRegistry.CreateDefault());

    private static (ushort Id, byte[] Bytes) Encode(object message)
    {
        var w = new MessageWriter();
        ushort id = Registry.Serialize(w, message);
        return (id, w.WrittenSpan.ToArray());
    }

    private static T RoundTrip<T>(T message) where T : notnull
    {
        var (id, bytes) = Encode(message);
        Assert.InRange(id, TypeIds.TrainingFirst, TypeIds.TrainingLast);
        return Assert.IsType<T>(Registry.Deserialize(id, bytes));
    }

    private static TensorPayload Floats(string name, long version, params float[] values) =>
        new(name, version, TensorDType.Float32, [values.Length], System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    [Fact]
    public void Every_record_in_the_messages_namespace_is_registered_under_its_own_training_id()
    {
        var messages = typeof(PushGradient).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(PushGradient).Namespace && t.GetMethod("<Clone>$") is not null && t != typeof(TrainingJob))
            .Append(typeof(ShardCounters)).Append(typeof(ShardState)).ToArray();
        Assert.True(messages.Length >= 17, $"found only {messages.Length} message types");
        var ids = messages.Select(t => Registry.FindByType(t)?.Id ?? throw new Xunit.Sdk.XunitException($"{t.Name} is not registered")).ToArray();
        Assert.All(ids, id => Assert.InRange(id, TypeIds.TrainingFirst, TypeIds.TrainingLast));
        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    [Fact]
    public void Registering_twice_is_a_no_op()
    {
        var r = TrainingProtocol.Register(SerializationRegistry.CreateDefault());
        int count = r.Entries.Count();
        TrainingProtocol.Register(r);
        Assert.Equal(count, r.Entries.Count());
    }

    [Fact]
    public void Push_gradient_keeps_its_fields_and_float_data()
    {
        var m = new PushGradient(3, "worker-1", 17, 5, Floats("shard/3", 17, 1.5f, -0.25f, float.Epsilon, float.NaN));
        var back = RoundTrip(m);
        Assert.Equal((3, "worker-1", 17L, 5), (back.Shard, back.Worker, back.Step, back.Samples));
        Assert.Equal(("shard/3", 17L, TensorDType.Float32), (back.Gradient.Name, back.Gradient.Version, back.Gradient.DType));
        Assert.Equal([4], back.Gradient.Shape);
        Assert.Equal(m.Gradient.Data.ToArray(), back.Gradient.Data.ToArray()); // bit-exact, NaN included
    }

    [Fact]
    public void Parameter_slice_and_pull_round_trip()
    {
        var slice = RoundTrip(new ParameterSlice(1, 42, Floats("shard/1", 42, 0.5f, 2f)));
        Assert.Equal((1, 42L), (slice.Shard, slice.Version));
        Assert.Equal([0.5f, 2f], slice.Values.AsFloats().ToArray());
        var empty = RoundTrip(new ParameterSlice(0, 0, Floats("shard/0", 0)));
        Assert.Equal(0, empty.Values.AsFloats().Length);
        Assert.Equal(new PullParameters(2, "worker-0", 9), RoundTrip(new PullParameters(2, "worker-0", 9)));
    }

    public static TheoryData<object> PlainMessages => new()
    {
        new WorkerLeft("worker-2"), new WorkerJoined("worker-ü"), new SetLearningRate(0.0125),
        new StepLoss("worker-0", 19, 1.2345f, 4), new WorkerFinished("worker-1", 20), new RunFailed("shard 2 stopped"),
        new RemoveWorker("worker-1"), new ShardCounters(4, 20, 20, 60, 1, 2, 3, 1),
    };

    [Theory]
    [MemberData(nameof(PlainMessages))]
    public void Plain_messages_round_trip_to_equal_records(object message)
    {
        var (id, bytes) = Encode(message);
        Assert.Equal(message, Registry.Deserialize(id, bytes));
    }

    [Fact]
    public void Field_less_messages_come_back_as_their_single_instance()
    {
        Assert.Same(GetShardCounters.Instance, RoundTrip(GetShardCounters.Instance));
        Assert.Same(GetShardState.Instance, RoundTrip(GetShardState.Instance));
        Assert.Same(BeginTraining.Instance, RoundTrip(BeginTraining.Instance));
        Assert.Same(StartRun.Instance, RoundTrip(StartRun.Instance));
    }

    [Fact]
    public void Run_result_keeps_parameters_losses_and_counters()
    {
        var m = new RunResult([1f, -2f, 3.5f], [new StepLoss("worker-0", 0, 2.5f, 4), new StepLoss("worker-1", 0, 2.25f, 4)],
            [new ShardCounters(0, 20, 20, 60, 0, 0, 0, 0), new ShardCounters(1, 20, 20, 60, 0, 0, 0, 0)]);
        var back = RoundTrip(m);
        Assert.Equal(m.Parameters, back.Parameters);
        Assert.Equal(m.Losses, back.Losses);
        Assert.Equal(m.Shards, back.Shards);
    }

    [Fact]
    public void Shard_state_keeps_values_and_optimizer_arrays()
    {
        var m = new ShardState(2, 100, 3, 7, [0.1f, 0.2f, 0.3f], 7,
            [new StateArray("exp_avg", [3], [1f, 2f, 3f]), new StateArray("exp_avg_sq", [3, 1], [4f, 5f, 6f])]);
        var back = RoundTrip(m);
        Assert.Equal((2, 100L, 3L, 7L, 7L), (back.ShardIndex, back.Offset, back.Length, back.Version, back.OptimizerStep));
        Assert.Equal(m.Values, back.Values);
        Assert.Equal(2, back.OptimizerState.Count);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(m.OptimizerState[i].Name, back.OptimizerState[i].Name);
            Assert.Equal(m.OptimizerState[i].Shape, back.OptimizerState[i].Shape);
            Assert.Equal(m.OptimizerState[i].Data, back.OptimizerState[i].Data);
        }
    }

    [Fact]
    public void A_truncated_payload_or_one_with_bytes_left_over_is_refused()
    {
        var (id, bytes) = Encode(new PushGradient(0, "worker-0", 1, 4, Floats("shard/0", 1, 1f, 2f, 3f)));
        for (int cut = 1; cut <= bytes.Length; cut += 3)
            Assert.Throws<FrameFormatException>(() => Registry.Deserialize(id, bytes.AsSpan(0, bytes.Length - cut)));
        Assert.Throws<FrameFormatException>(() => Registry.Deserialize(id, [.. bytes, 0]));
    }

    [Fact]
    public void A_tensor_that_is_not_float32_or_whose_size_disagrees_with_its_shape_is_refused()
    {
        var (id, bytes) = Encode(new ParameterSlice(0, 1, Floats("shard/0", 1, 1f, 2f)));
        // Layout: shard(4) version(8) | name(4+7) version(8) dtype(1) shape(4+4) length(8) | data(8).
        int dtypeAt = 4 + 8 + 4 + "shard/0".Length + 8;
        var f16 = (byte[])bytes.Clone();
        f16[dtypeAt] = (byte)TensorDType.Float16;
        var e = Assert.Throws<FrameFormatException>(() => Registry.Deserialize(id, f16));
        Assert.Contains("shape", e.Message); // 2 float16 elements need 4 bytes, 8 are declared
        var unknown = (byte[])bytes.Clone();
        unknown[dtypeAt] = 9;
        Assert.Throws<FrameFormatException>(() => Registry.Deserialize(id, unknown));
        var bigShape = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(bigShape.AsSpan(dtypeAt + 1 + 4), 1_000_000);
        Assert.Throws<FrameFormatException>(() => Registry.Deserialize(id, bigShape));
    }

    [Fact]
    public void Negative_counts_and_inconsistent_shard_states_are_refused()
    {
        var (pushId, push) = Encode(new PushGradient(0, "w", 1, 4, Floats("g", 1, 1f)));
        var negativeShard = (byte[])push.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(negativeShard, -1);
        Assert.Contains("must not be negative", Assert.Throws<FrameFormatException>(() => Registry.Deserialize(pushId, negativeShard)).Message);

        var (stateId, state) = Encode(new ShardState(0, 0, 2, 1, [1f, 2f], 1, [new StateArray("momentum_buffer", [2], [0f, 0f])]));
        var wrongLength = (byte[])state.Clone();
        BinaryPrimitives.WriteInt64LittleEndian(wrongLength.AsSpan(4 + 8), 5);
        Assert.Throws<FrameFormatException>(() => Registry.Deserialize(stateId, wrongLength));
        var hugeCount = (byte[])state.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(hugeCount.AsSpan(4 + 8 + 8 + 8), int.MaxValue);
        Assert.Throws<FrameFormatException>(() => Registry.Deserialize(stateId, hugeCount));

        var (resultId, _) = Encode(new RunResult([], [], []));
        Assert.Throws<FrameFormatException>(() => Registry.Deserialize(resultId, [0, 0, 0, 0, 255, 255, 255, 127]));
    }

    [Fact]
    public void A_non_float32_tensor_cannot_be_sent_in_a_training_message()
    {
        var raw = new TensorPayload("g", 0, TensorDType.Raw, [2], new byte[2]);
        var e = Assert.Throws<InvalidOperationException>(() => Encode(new PushGradient(0, "w", 0, 1, raw)));
        Assert.Contains("Float32", e.Message);
    }
}

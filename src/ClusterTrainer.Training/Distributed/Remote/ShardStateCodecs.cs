using ClusterTrainer.Actors.Serialization;
using ClusterTrainer.Training.Distributed.ParameterServer;
using static ClusterTrainer.Training.Distributed.Remote.WireFields;

namespace ClusterTrainer.Training.Distributed.Remote;

/// <summary>
/// Wire form of <see cref="ShardState"/> (a shard's slice and optimizer state, e.g. for a checkpoint taken by a
/// coordinator on another node). The reader checks what <c>ShardState.Import</c> relies on: the slice length
/// matches the values, and every state array's shape matches its data.
/// </summary>
internal static class ShardStateCodecs
{
    public static void Write(MessageWriter w, ShardState s)
    {
        w.WriteInt32(s.ShardIndex); w.WriteInt64(s.Offset); w.WriteInt64(s.Length); w.WriteInt64(s.Version);
        WriteFloats(w, s.Values);
        w.WriteInt64(s.OptimizerStep);
        WriteList(w, s.OptimizerState, (wr, a) => { wr.WriteString(a.Name); WriteLongs(wr, a.Shape); WriteFloats(wr, a.Data); });
    }

    public static ShardState Read(ref MessageReader rd)
    {
        int index = ReadNonNegative(ref rd, "ShardState.ShardIndex");
        long offset = rd.ReadInt64(), length = rd.ReadInt64(), version = rd.ReadInt64();
        float[] values = ReadFloats(ref rd);
        if (offset < 0 || length != values.Length)
            throw new FrameFormatException($"ShardState of shard {index} claims offset {offset} and length {length} but carries {values.Length} values.");
        long step = rd.ReadInt64();
        var arrays = ReadList(ref rd, 9, ReadArray);
        return new ShardState(index, offset, length, version, values, step, arrays);
    }

    private static StateArray ReadArray(ref MessageReader rd)
    {
        string name = rd.ReadRequiredString();
        long[] shape = ReadLongs(ref rd);
        float[] data = ReadFloats(ref rd);
        long n = 1;
        foreach (long d in shape)
        {
            if (d < 0) throw new FrameFormatException($"Optimizer state '{name}' has a negative dimension {d}.");
            n = d == 0 ? 0 : (n > long.MaxValue / d ? -1 : n * d);
            if (n < 0) throw new FrameFormatException($"Optimizer state '{name}' has a shape too large to hold.");
        }
        if (n != data.Length)
            throw new FrameFormatException($"Optimizer state '{name}' has shape [{string.Join(",", shape)}] but {data.Length} values.");
        return new StateArray(name, shape, data);
    }
}

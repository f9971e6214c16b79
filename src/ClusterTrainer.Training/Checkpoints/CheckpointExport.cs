using ClusterTrainer.Torch;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Checkpoints;

/// <summary>Turns a checkpoint's shard parts back into the model: the flat vector, and a PyTorch-loadable state_dict.</summary>
public static class CheckpointExport
{
    /// <summary>Concatenates the parts into the flat parameter vector of <paramref name="totalLength"/> floats. The parts must tile
    /// [0, totalLength) exactly; a gap, an overlap or a wrong total is refused naming the offsets.</summary>
    public static float[] Assemble(LoadedCheckpoint checkpoint, long totalLength)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var flat = new float[totalLength];
        long next = 0;
        foreach (var part in checkpoint.Parts.OrderBy(p => p.Offset))
        {
            if (part.Offset != next)
            {
                throw new InvalidDataException(
                    $"checkpoint step {checkpoint.Manifest.Step}: shard {part.ShardId} starts at {part.Offset} but the previous shards end at {next} " +
                    $"({(part.Offset > next ? "a gap" : "an overlap")}); the parts do not form one parameter vector");
            }

            if (part.Offset + part.Values.Length > totalLength)
            {
                throw new InvalidDataException(
                    $"checkpoint step {checkpoint.Manifest.Step}: shard {part.ShardId} ends at {part.Offset + part.Values.Length}, past the model's {totalLength} parameters; " +
                    "export with the model the run was trained with");
            }

            part.Values.CopyTo(flat.AsSpan((int)part.Offset));
            next = part.Offset + part.Values.Length;
        }

        if (next != totalLength)
        {
            throw new InvalidDataException(
                $"checkpoint step {checkpoint.Manifest.Step} holds {next} parameters but the model has {totalLength}; export with the model the run was trained with");
        }

        return flat;
    }

    /// <summary>Writes the checkpoint as a state_dict (one tensor per slot of the model's <see cref="FlatParameters"/> layout, in
    /// layout order, with its shape) via <see cref="torch.save"/>, so Python's <c>torch.load(path)</c> reads it.</summary>
    public static void ExportStateDict(LoadedCheckpoint checkpoint, IReadOnlyList<FlatParameters.Slot> layout, string path)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var total = layout.Count == 0 ? 0 : layout.Max(s => s.Offset + s.Length);
        var flat = Assemble(checkpoint, total);
        var tensors = new List<KeyValuePair<string, Tensor>>(layout.Count);
        try
        {
            foreach (var slot in layout)
            {
                tensors.Add(new(slot.Name, torch.tensor<float>(flat.AsSpan((int)slot.Offset, (int)slot.Length), slot.Shape)));
            }

            torch.save(tensors, path);
        }
        finally
        {
            foreach (var (_, t) in tensors)
            {
                t.Dispose();
            }
        }
    }
}

using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ClusterTrainer.Bench.Checkpoint;

/// <summary>
/// The baseline of the checkpoint benchmarks (bench/checkpoint, bench/cluster): bytes written to one file with the
/// durability of a checkpoint part (preallocated temp file, one write per section, fsync, rename) and nothing else:
/// no header, no CRC, no directory fsync, no manifest.
/// </summary>
public static class RawDurableWrite
{
    /// <summary>Writes the float32 <paramref name="sections"/> one after another to <paramref name="path"/>; returns the seconds taken.</summary>
    public static double Write(string path, IReadOnlyList<float[]> sections)
    {
        var clock = Stopwatch.StartNew();
        long size = sections.Sum(s => (long)s.Length * sizeof(float));
        using (var fs = new FileStream(path + ".tmp", new FileStreamOptions
               {
                   Mode = FileMode.Create, Access = FileAccess.Write, BufferSize = 0, PreallocationSize = size,
               }))
        {
            foreach (var s in sections) fs.Write(MemoryMarshal.AsBytes(s.AsSpan()));
            fs.Flush(flushToDisk: true);
        }

        File.Move(path + ".tmp", path, overwrite: true);
        return clock.Elapsed.TotalSeconds;
    }
}

using ClusterTrainer.Torch.Checkpoint;
using static ClusterTrainer.Torch.NNInterop;

namespace ClusterTrainer.Torch;

public static partial class torch
{
    // c10::ScalarType code -> PyTorch legacy storage class (what torch.save pickles), and back.
    private static readonly (int code, string storage)[] StorageTypes =
    [
        (0, "ByteStorage"), (1, "CharStorage"), (2, "ShortStorage"), (3, "IntStorage"), (4, "LongStorage"), (5, "HalfStorage"),
        (6, "FloatStorage"), (7, "DoubleStorage"), (11, "BoolStorage"), (15, "BFloat16Storage"),
    ];

    private static string? StorageName(int code) => StorageTypes.FirstOrDefault(s => s.code == code).storage;

    /// <summary>
    /// Saves named tensors (a state_dict) in PyTorch's own checkpoint format, so Python's <c>torch.load(path)</c>
    /// returns an OrderedDict of the same names, shapes, dtypes and values. The file is written to a temporary
    /// sibling, flushed to disk and renamed over <paramref name="path"/>, so a crash never leaves a half-written
    /// checkpoint under that name. Every entry carries a CRC-32 that <see cref="load"/> verifies.
    /// </summary>
    public static unsafe void save(IEnumerable<KeyValuePair<string, Tensor>> state_dict, string path)
    {
        ArgumentNullException.ThrowIfNull(state_dict);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var tmp = full + ".tmp-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8];
        var exported = new List<Tensor>();
        try
        {
            var records = new List<(string name, string storageType, string key, long numel, long[] shape)>();
            var blobs = new List<(IntPtr data, long nbytes)>();
            foreach (var (name, tensor) in state_dict)
            {
                void* data;
                long nbytes;
                int dtype;
                var e = W(NativeMethods.ct_nn_export(H(tensor), &data, &nbytes, &dtype));
                GC.KeepAlive(tensor);
                exported.Add(e);
                var storage = StorageName(dtype)
                              ?? throw new NotSupportedException($"torch.save: tensor '{name}' has a dtype (c10 code {dtype}) PyTorch checkpoints cannot hold here.");
                var shape = e.shape;
                records.Add((name, storage, records.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), shape.Aggregate(1L, (a, b) => a * b), shape));
                blobs.Add(((IntPtr)data, nbytes));
            }

            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                var zip = new TorchZip.Writer(fs, full);
                zip.Add("archive/data.pkl", PickleWriter.StateDict(records));
                for (int i = 0; i < blobs.Count; i++)
                    zip.Add("archive/data/" + records[i].key, new ReadOnlySpan<byte>((void*)blobs[i].data, checked((int)blobs[i].nbytes)));
                zip.Add("archive/version", "3\n"u8);
                zip.Finish();
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            foreach (var e in exported) e.Dispose();
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>
    /// Loads a state_dict written by <see cref="save"/> or by Python's <c>torch.save(model.state_dict(), path)</c>
    /// (or any dict of tensors). A missing, truncated or corrupted file (any flipped byte: every entry's CRC-32 is
    /// checked) raises <see cref="InvalidDataException"/> (or <see cref="FileNotFoundException"/>) naming the file.
    /// The caller owns the returned tensors.
    /// </summary>
    public static unsafe OrderedDictionary<string, Tensor> load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint {path} does not exist.", path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 4 || bytes[0] != 'P' || bytes[1] != 'K')
            throw new InvalidDataException($"Checkpoint {path} is not a zip-format PyTorch checkpoint (legacy torch.save format, or another kind of file). " +
                                           "Re-save it with a PyTorch >= 1.6 torch.save, or with this library's torch.save.");
        var zip = new TorchZip.Reader(bytes, path);
        var pkl = zip.Names.FirstOrDefault(n => n.EndsWith("/data.pkl", StringComparison.Ordinal) && n.IndexOf('/') == n.Length - "/data.pkl".Length)
                  ?? throw new InvalidDataException($"Checkpoint {path} has no data.pkl entry; it is not a torch.save file.");
        var prefix = pkl[..^"data.pkl".Length];
        var root = new Unpickler(zip.Read(pkl).ToArray(), path).Load();
        if (root is not Dictionary<object, object?> dict)
            throw new InvalidDataException($"Checkpoint {path} holds a {root?.GetType().Name ?? "None"}, not a dict of tensors (a state_dict).");

        var result = new OrderedDictionary<string, Tensor>();
        try
        {
            foreach (var (k, v) in dict)
            {
                if (k is not string name || v is not TensorRef t)
                    throw new InvalidDataException($"Checkpoint {path}: entry '{k}' is a {v?.GetType().Name ?? "None"}, not a tensor; only flat state_dicts of tensors are supported.");
                var type = StorageTypes.FirstOrDefault(s => s.storage == t.Storage.StorageType);
                if (type.storage is null)
                    throw new InvalidDataException($"Checkpoint {path}: tensor '{name}' uses storage type {t.Storage.StorageType}, which is not supported.");
                int code = type.code;
                var data = zip.Read(prefix + "data/" + t.Storage.Key);
                if (t.Size.Length != t.Stride.Length) throw new InvalidDataException($"Checkpoint {path}: tensor '{name}' has {t.Size.Length} sizes but {t.Stride.Length} strides.");
                fixed (byte* d = data)
                fixed (long* size = t.Size, stride = t.Stride)
                {
                    result[name] = W(NativeMethods.ct_nn_import(d, data.Length, code, size, stride, t.Size.Length, t.Offset));
                }
            }
        }
        catch (TorchException e)
        {
            foreach (var x in result.Values) x.Dispose();
            throw new InvalidDataException($"Checkpoint {path} is corrupted: {e.Message}", e);
        }
        catch
        {
            foreach (var x in result.Values) x.Dispose();
            throw;
        }
        return result;
    }
}

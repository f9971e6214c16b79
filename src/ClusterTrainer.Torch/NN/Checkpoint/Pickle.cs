using System.Buffers.Binary;
using System.Text;

namespace ClusterTrainer.Torch.Checkpoint;

/// <summary>A storage reference inside a pickled checkpoint: ('storage', torch.FloatStorage, key, location, numel).</summary>
internal sealed record StorageRef(string StorageType, string Key, long Numel);

/// <summary>torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, ...).</summary>
internal sealed record TensorRef(StorageRef Storage, long Offset, long[] Size, long[] Stride);

internal sealed record GlobalRef(string Module, string Name)
{
    public override string ToString() => Module + "." + Name;
}

/// <summary>
/// Writes the data.pkl of a state_dict the way torch.save does (protocol 2): a collections.OrderedDict whose
/// values are torch._utils._rebuild_tensor_v2 calls over persistent storage ids.
/// </summary>
internal static class PickleWriter
{
    public static byte[] StateDict(IReadOnlyList<(string name, string storageType, string key, long numel, long[] shape)> tensors)
    {
        using var ms = new MemoryStream();
        var w = new BinaryWriter(ms, Encoding.UTF8);
        w.Write((byte)0x80); w.Write((byte)2);                        // PROTO 2
        Global(w, "collections", "OrderedDict");
        w.Write((byte)')'); w.Write((byte)'R');                        // OrderedDict()
        w.Write((byte)'(');                                            // MARK
        foreach (var (name, storageType, key, numel, shape) in tensors)
        {
            Unicode(w, name);
            Global(w, "torch._utils", "_rebuild_tensor_v2");
            w.Write((byte)'(');                                        // MARK args
            w.Write((byte)'(');                                        // MARK persistent id
            Unicode(w, "storage");
            Global(w, "torch", storageType);
            Unicode(w, key);
            Unicode(w, "cpu");
            Int(w, numel);
            w.Write((byte)'t'); w.Write((byte)'Q');                    // TUPLE, BINPERSID
            Int(w, 0);                                                 // storage offset
            IntTuple(w, shape);
            IntTuple(w, ContiguousStrides(shape));
            w.Write((byte)0x89);                                       // requires_grad = False
            Global(w, "collections", "OrderedDict");
            w.Write((byte)')'); w.Write((byte)'R');                    // backward_hooks = OrderedDict()
            w.Write((byte)'t'); w.Write((byte)'R');                    // TUPLE, REDUCE
        }
        w.Write((byte)'u');                                            // SETITEMS
        w.Write((byte)'.');                                            // STOP
        w.Flush();
        return ms.ToArray();
    }

    internal static long[] ContiguousStrides(long[] shape)
    {
        var strides = new long[shape.Length];
        long s = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= Math.Max(shape[i], 1);
        }
        return strides;
    }

    private static void Global(BinaryWriter w, string module, string name)
    {
        w.Write((byte)'c');
        w.Write(Encoding.ASCII.GetBytes(module + "\n" + name + "\n"));
    }

    private static void Unicode(BinaryWriter w, string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        w.Write((byte)'X');
        w.Write((uint)b.Length);
        w.Write(b);
    }

    private static void Int(BinaryWriter w, long v)
    {
        if (v >= int.MinValue && v <= int.MaxValue)
        {
            w.Write((byte)'J');
            w.Write((int)v);
            return;
        }
        w.Write((byte)0x8a); w.Write((byte)8); w.Write(v);            // LONG1, 8 bytes little-endian
    }

    private static void IntTuple(BinaryWriter w, long[] values)
    {
        w.Write((byte)'(');
        foreach (var v in values) Int(w, v);
        w.Write((byte)'t');
    }
}

/// <summary>
/// A small pickle virtual machine for the subset of opcodes torch.save emits (protocols 2 to 4). It builds plain
/// values: string, long, double, bool, null, List&lt;object?&gt;, object?[] (tuples), Dictionary (dicts, OrderedDicts),
/// StorageRef and TensorRef. Any other global is refused: a checkpoint never runs code here.
/// </summary>
internal sealed class Unpickler(byte[] data, string path)
{
    private static readonly object Mark = new();
    private readonly List<object?> _stack = new();
    private readonly Dictionary<long, object?> _memo = new();
    private int _pos;

    public object? Load()
    {
        while (true)
        {
            byte op = U8();
            switch (op)
            {
                case 0x80: U8(); break;                                           // PROTO
                case 0x95: Bytes(8); break;                                       // FRAME
                case (byte)'.': return Pop();                                     // STOP
                case (byte)'(': _stack.Add(Mark); break;                          // MARK
                case (byte)')': _stack.Add(Array.Empty<object?>()); break;        // EMPTY_TUPLE
                case (byte)'t': _stack.Add(PopToMark().ToArray()); break;         // TUPLE
                case 0x85: _stack.Add(new[] { Pop() }); break;                    // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); _stack.Add(new[] { a, b }); break; }
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); _stack.Add(new[] { a, b, c }); break; }
                case (byte)']': _stack.Add(new List<object?>()); break;           // EMPTY_LIST
                case (byte)'l': _stack.Add(PopToMark()); break;                   // LIST
                case (byte)'a': { var v = Pop(); As<List<object?>>(Peek()).Add(v); break; }
                case (byte)'e': { var items = PopToMark(); As<List<object?>>(Peek()).AddRange(items); break; }
                case (byte)'}': _stack.Add(new Dictionary<object, object?>()); break;
                case (byte)'d': { var items = PopToMark(); var d = new Dictionary<object, object?>(); SetItems(d, items); _stack.Add(d); break; }
                case (byte)'s': { var v = Pop(); var k = Pop(); SetItems(As<Dictionary<object, object?>>(Peek()), [k, v]); break; }
                case (byte)'u': { var items = PopToMark(); SetItems(As<Dictionary<object, object?>>(Peek()), items); break; }
                case (byte)'X': _stack.Add(Encoding.UTF8.GetString(Bytes(checked((int)U32())))); break;
                case 0x8c: _stack.Add(Encoding.UTF8.GetString(Bytes(U8()))); break;
                case 0x8d: _stack.Add(Encoding.UTF8.GetString(Bytes(checked((int)I64())))); break;
                case (byte)'U': _stack.Add(Encoding.ASCII.GetString(Bytes(U8()))); break;
                case (byte)'T': _stack.Add(Encoding.ASCII.GetString(Bytes(checked((int)U32())))); break;
                case (byte)'J': _stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(Bytes(4))); break;
                case (byte)'K': _stack.Add((long)U8()); break;
                case (byte)'M': _stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2))); break;
                case 0x8a: _stack.Add(Long1(U8())); break;
                case (byte)'G': _stack.Add(BinaryPrimitives.ReadDoubleBigEndian(Bytes(8))); break;
                case (byte)'N': _stack.Add(null); break;
                case 0x88: _stack.Add(true); break;
                case 0x89: _stack.Add(false); break;
                case (byte)'c': _stack.Add(new GlobalRef(Line(), Line())); break;
                case 0x93: { var name = As<string>(Pop()); var module = As<string>(Pop()); _stack.Add(new GlobalRef(module, name)); break; }
                case (byte)'R': { var args = As<object?[]>(Pop()); var f = As<GlobalRef>(Pop()); _stack.Add(Reduce(f, args)); break; }
                case (byte)'b': Pop(); break;                                     // BUILD: attribute state (_metadata) is not needed
                case (byte)'Q': _stack.Add(PersistentId(Pop())); break;           // BINPERSID
                case (byte)'q': _memo[U8()] = Peek(); break;                      // BINPUT
                case (byte)'r': _memo[U32()] = Peek(); break;                     // LONG_BINPUT
                case 0x94: _memo[_memo.Count] = Peek(); break;                    // MEMOIZE
                case (byte)'h': _stack.Add(Memo(U8())); break;                    // BINGET
                case (byte)'j': _stack.Add(Memo(U32())); break;                   // LONG_BINGET
                default: throw Corrupt($"uses pickle opcode 0x{op:x2} at byte {_pos - 1}, which a state_dict never contains");
            }
        }
    }

    private object? Reduce(GlobalRef f, object?[] args)
    {
        switch (f.ToString())
        {
            case "collections.OrderedDict":
                var d = new Dictionary<object, object?>();
                if (args.Length == 1 && args[0] is List<object?> pairs)
                    foreach (var p in pairs) { var kv = As<object?[]>(p); SetItems(d, [kv[0], kv[1]]); }
                return d;
            case "torch._utils._rebuild_tensor_v2":
                if (args.Length < 4) throw Corrupt("has a tensor record with too few fields");
                return new TensorRef(As<StorageRef>(args[0]), As<long>(args[1]), Longs(args[2]), Longs(args[3]));
            case "torch._utils._rebuild_parameter":
                return args.Length > 0 ? args[0] : throw Corrupt("has an empty parameter record");
            default:
                throw Corrupt($"calls {f}, which this loader does not run; save a state_dict (a dict of tensors) instead of a whole object");
        }
    }

    private StorageRef PersistentId(object? pid)
    {
        var t = As<object?[]>(pid);
        if (t.Length < 5 || As<string>(t[0]) != "storage") throw Corrupt("has a persistent id that is not a storage");
        var type = As<GlobalRef>(t[1]);
        return new StorageRef(type.Name, t[2]?.ToString() ?? throw Corrupt("has a storage without a key"), As<long>(t[4]));
    }

    private long[] Longs(object? tuple) => As<object?[]>(tuple).Select(v => As<long>(v)).ToArray();

    private void SetItems(Dictionary<object, object?> d, List<object?> items)
    {
        if (items.Count % 2 != 0) throw Corrupt("has a dict with an odd number of items");
        for (int i = 0; i < items.Count; i += 2) d[items[i] ?? throw Corrupt("has a dict with a None key")] = items[i + 1];
    }

    private object? Memo(long key) => _memo.TryGetValue(key, out var v) ? v : throw Corrupt($"refers to memo slot {key}, which was never stored");

    private List<object?> PopToMark()
    {
        int i = _stack.FindLastIndex(o => ReferenceEquals(o, Mark));
        if (i < 0) throw Corrupt("has an unbalanced MARK");
        var items = _stack.GetRange(i + 1, _stack.Count - i - 1);
        _stack.RemoveRange(i, _stack.Count - i);
        return items;
    }

    private object? Pop()
    {
        if (_stack.Count == 0) throw Corrupt("pops an empty pickle stack");
        var v = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    private object? Peek() => _stack.Count > 0 ? _stack[^1] : throw Corrupt("reads an empty pickle stack");

    private T As<T>(object? v) => v is T t ? t : throw Corrupt($"has a {v?.GetType().Name ?? "None"} where a {typeof(T).Name} belongs");

    private byte U8() => Bytes(1)[0];

    private uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4));

    private long I64() => BinaryPrimitives.ReadInt64LittleEndian(Bytes(8));

    private long Long1(int n)
    {
        if (n > 8) throw Corrupt("has an integer wider than 64 bits");
        var b = Bytes(n);
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = (v << 8) | b[i];
        if (n is > 0 and < 8 && (b[n - 1] & 0x80) != 0) v -= 1L << (8 * n); // sign-extend
        return v;
    }

    private string Line()
    {
        int end = Array.IndexOf(data, (byte)'\n', _pos);
        if (end < 0) throw Corrupt("ends inside a GLOBAL opcode");
        var s = Encoding.ASCII.GetString(data, _pos, end - _pos);
        _pos = end + 1;
        return s;
    }

    private ReadOnlySpan<byte> Bytes(int n)
    {
        if (n < 0 || _pos + n > data.Length) throw Corrupt("ends in the middle of a record (truncated data.pkl)");
        var s = data.AsSpan(_pos, n);
        _pos += n;
        return s;
    }

    private InvalidDataException Corrupt(string what) => new($"Checkpoint {path}: data.pkl {what}.");
}

namespace ClusterTrainer.Torch;

/// <summary>
/// One element of a Python-style index, for <c>t[...]</c>: an integer (<c>t[0]</c>, <c>t[^1]</c>), a C# range
/// (<c>t[.., 1..3]</c>, <c>t[2..]</c>, <c>t[..^1]</c>), a stepped slice (<see cref="Slice"/>),
/// <see cref="Ellipsis"/>, <see cref="None"/> (a new axis), a bool, or a tensor (int64 indices or a bool mask).
/// </summary>
public readonly struct TensorIndex
{
    internal enum Kind { Integer = 0, Slice = 1, Ellipsis = 2, None = 3, Tensor = 4, Bool = 5 }

    internal readonly Kind kind;
    internal readonly long? start;
    internal readonly long? stop;
    internal readonly long step;
    internal readonly torch.Tensor? tensor;

    private TensorIndex(Kind kind, long? start = null, long? stop = null, long step = 1, torch.Tensor? tensor = null)
    {
        this.kind = kind;
        this.start = start;
        this.stop = stop;
        this.step = step;
        this.tensor = tensor;
    }

    /// <summary><c>...</c>: as many full slices as needed.</summary>
    public static readonly TensorIndex Ellipsis = new(Kind.Ellipsis);

    /// <summary><c>None</c>: inserts a dim of size 1.</summary>
    public static readonly TensorIndex None = new(Kind.None);

    /// <summary><c>:</c>: the whole dim.</summary>
    public static readonly TensorIndex Colon = new(Kind.Slice);

    /// <summary><c>start:stop:step</c>; null bounds are omitted; negative bounds count from the end.</summary>
    public static TensorIndex Slice(long? start = null, long? stop = null, long step = 1)
    {
        if (step <= 0) throw new ArgumentOutOfRangeException(nameof(step), step, "slice step must be positive (as in PyTorch)");
        return new TensorIndex(Kind.Slice, start, stop, step);
    }

    public static TensorIndex Single(long index) => new(Kind.Integer, index);

    public static implicit operator TensorIndex(long index) => new(Kind.Integer, index);
    public static implicit operator TensorIndex(int index) => new(Kind.Integer, index);
    public static implicit operator TensorIndex(bool value) => new(Kind.Bool, value ? 1 : 0);

    /// <summary><c>^k</c> is index -k, as in Python.</summary>
    public static implicit operator TensorIndex(Index index) => new(Kind.Integer, index.IsFromEnd ? -index.Value : index.Value);

    /// <summary>
    /// <c>a..b</c> is the slice a:b. <c>^k</c> bounds count from the end; an open end (<c>a..</c> or <c>..^0</c>)
    /// runs to the end of the dim.
    /// </summary>
    public static implicit operator TensorIndex(Range range)
    {
        long? start = range.Start.IsFromEnd
            ? range.Start.Value == 0 ? long.MaxValue : -range.Start.Value
            : range.Start.Value;
        long? stop = range.End.IsFromEnd
            ? range.End.Value == 0 ? null : -range.End.Value
            : range.End.Value;
        return new TensorIndex(Kind.Slice, start, stop);
    }

    public static implicit operator TensorIndex(torch.Tensor tensor) =>
        new(Kind.Tensor, tensor: tensor ?? throw new ArgumentNullException(nameof(tensor)));

    internal IndexSpec ToSpec() => new()
    {
        Kind = (int)kind,
        HasStart = start.HasValue ? 1 : 0,
        HasStop = stop.HasValue ? 1 : 0,
        Start = start ?? 0,
        Stop = stop ?? 0,
        Step = step,
        Tensor = tensor?.DangerousHandle ?? IntPtr.Zero,
    };
}

using System.Runtime.InteropServices;

namespace ClusterTrainer.Torch;

/// <summary>
/// A number passed to an op (<c>t * 2</c>, <c>t.add_(g, alpha: -lr)</c>). Integers stay integers, so an
/// int64 tensor plus 1 stays int64, as in PyTorch. Layout matches ct::Scalar in the native shim.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct Scalar
{
    internal readonly double d;
    internal readonly long i;
    internal readonly int kind; // 0 double, 1 int64, 2 bool

    private Scalar(double d, long i, int kind) { this.d = d; this.i = i; this.kind = kind; }

    public static implicit operator Scalar(double v) => new(v, 0, 0);
    public static implicit operator Scalar(float v) => new(v, 0, 0);
    public static implicit operator Scalar(long v) => new(v, v, 1);
    public static implicit operator Scalar(int v) => new(v, v, 1);
    public static implicit operator Scalar(bool v) => new(v ? 1 : 0, v ? 1 : 0, 2);
    public static implicit operator Scalar(Half v) => new((double)v, 0, 0);

    public bool IsIntegral => kind == 1;
    public double ToDouble() => kind == 0 ? d : i;
    public long ToInt64() => kind == 0 ? (long)d : i;
    public override string ToString() => kind switch { 0 => d.ToString("R"), 2 => (i != 0).ToString(), _ => i.ToString() };
}

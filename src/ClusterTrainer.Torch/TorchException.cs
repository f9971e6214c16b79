namespace ClusterTrainer.Torch;

/// <summary>
/// An error raised by libtorch (caught in the native shim and carried across the boundary as a message)
/// or by the binding's own argument checks. The process stays usable after it.
/// </summary>
public sealed class TorchException : Exception
{
    public TorchException(string message) : base(message) { }

    public TorchException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Builds the exception from the message the failed native call left behind (and clears it).</summary>
    internal static TorchException FromNative()
    {
        var message = NativeMethods.TakeLastError();
        return new TorchException(message ?? "a native libtorch call failed without leaving an error message");
    }
}

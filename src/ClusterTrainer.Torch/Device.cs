namespace ClusterTrainer.Torch;

/// <summary>Device kinds. The numeric values equal libtorch's c10::DeviceType codes.</summary>
public enum DeviceType
{
    CPU = 0,
    CUDA = 1,
}

/// <summary>Where a tensor's memory lives: <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
public sealed record Device(DeviceType type, int index = -1)
{
    /// <summary>Parses PyTorch's spelling: "cpu", "cuda", "cuda:1".</summary>
    public static Device Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var parts = spec.Trim().ToLowerInvariant().Split(':');
        var type = parts[0] switch
        {
            "cpu" => DeviceType.CPU,
            "cuda" => DeviceType.CUDA,
            _ => throw new ArgumentException($"unknown device '{spec}'; use \"cpu\", \"cuda\" or \"cuda:N\"", nameof(spec)),
        };
        if (parts.Length == 1) return new Device(type);
        if (parts.Length == 2 && int.TryParse(parts[1], out var index) && index >= 0) return new Device(type, index);
        throw new ArgumentException($"bad device index in '{spec}'; use \"cuda:N\" with N >= 0", nameof(spec));
    }

    /// <summary>Throws a <see cref="TorchException"/> when the loaded libtorch cannot use this device.</summary>
    internal void EnsureAvailable()
    {
        if (type == DeviceType.CUDA && !torch.cuda.is_available())
            throw new TorchException(
                $"device '{this}' was requested but the loaded libtorch has no CUDA support (Debian's libtorch 1.13 " +
                "is CPU-only, or no GPU is visible); use torch.CPU, or build the shim against a CUDA libtorch");
    }

    public override string ToString() =>
        (type == DeviceType.CPU ? "cpu" : "cuda") + (index >= 0 ? ":" + index : "");
}

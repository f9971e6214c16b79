namespace ClusterTrainer.Training.Distributed.Compression;

/// <summary>Throw helpers that keep the conversion loops small.</summary>
internal static class SpanChecks
{
    public static void SameLength(int source, int destination, string operation)
    {
        if (source != destination) ThrowLength(source, destination, operation);
    }

    private static void ThrowLength(int source, int destination, string operation) =>
        throw new ArgumentException($"The {operation} source has {source} values but the destination has {destination}; pass spans of equal length.");
}

namespace ClusterTrainer.Actors.Serialization;

/// <summary>Bytes that do not decode to an allowed message: unknown type id, truncated field, length out of range.</summary>
public sealed class FrameFormatException(string message) : Exception(message);

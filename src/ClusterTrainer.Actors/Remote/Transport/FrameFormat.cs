using System.Buffers.Binary;

namespace ClusterTrainer.Actors.Remote.Transport;

/// <summary>Kinds of frames; anything else drops the connection.</summary>
public enum FrameKind : byte
{
    Handshake = 1,
    Message = 2,
    Tensor = 3,
}

/// <summary>
/// Wire layout of one frame (all integers little-endian):
/// <code>
/// offset size
///  0      4   frame length L = bytes after this field (header + names + payload [+ tensor data])
///  4      1   kind        (FrameKind)
///  5      1   flags       (reserved, must be 0)
///  6      2   type id     (allow-list id; for handshake frames the handshake step)
///  8      2   recipient path length R (UTF-8 bytes)
/// 10      2   sender path length S (0 = no sender)
/// 12      4   payload length P (tensor frames: the tensor header; the raw data D follows it)
/// 16      R   recipient path
/// 16+R    S   sender path
/// 16+R+S  P   payload
/// ...     D   tensor data (tensor frames only): D = L - 12 - R - S - P
/// </code>
/// Message frames must satisfy L = 12 + R + S + P exactly. L is checked against the configured maximum
/// before anything is allocated for the frame.
/// </summary>
public static class FrameFormat
{
    public const int LengthPrefix = 4;
    /// <summary>Fixed header after the length prefix.</summary>
    public const int FixedHeader = 12;
    public const int PrefixAndHeader = LengthPrefix + FixedHeader;
    /// <summary>Largest tensor header payload (name + shape); bigger is refused.</summary>
    public const int MaxTensorHeader = 16 * 1024;
    /// <summary>Largest handshake frame.</summary>
    public const int MaxHandshakeFrame = 4096;

    public static void WriteHeader(Span<byte> at, int frameLength, FrameKind kind, ushort typeId, int recipientLength, int senderLength, int payloadLength)
    {
        BinaryPrimitives.WriteInt32LittleEndian(at, frameLength);
        at[4] = (byte)kind;
        at[5] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(at[6..], typeId);
        BinaryPrimitives.WriteUInt16LittleEndian(at[8..], checked((ushort)recipientLength));
        BinaryPrimitives.WriteUInt16LittleEndian(at[10..], checked((ushort)senderLength));
        BinaryPrimitives.WriteInt32LittleEndian(at[12..], payloadLength);
    }
}

/// <summary>The parsed fixed header of one frame.</summary>
public readonly record struct FrameHeader(int FrameLength, FrameKind Kind, ushort TypeId, int RecipientLength, int SenderLength, int PayloadLength)
{
    /// <summary>Bytes of names and payload (excludes tensor data).</summary>
    public int VariableLength => RecipientLength + SenderLength + PayloadLength;

    /// <summary>Tensor data bytes (0 for other kinds).</summary>
    public long DataLength => (long)FrameLength - FrameFormat.FixedHeader - VariableLength;

    /// <summary>Parses and validates a header; returns an error text instead of throwing.</summary>
    public static string? TryParse(ReadOnlySpan<byte> sixteen, int maxFrameSize, out FrameHeader header)
    {
        header = default;
        int length = BinaryPrimitives.ReadInt32LittleEndian(sixteen);
        if (length < FrameFormat.FixedHeader)
            return $"frame length {length} is smaller than the {FrameFormat.FixedHeader}-byte header";
        if (length > maxFrameSize)
            return $"frame length {length} exceeds the maximum frame size {maxFrameSize} (RemoteSettings.MaxFrameSize)";
        byte kind = sixteen[4];
        if (kind is < (byte)FrameKind.Handshake or > (byte)FrameKind.Tensor)
            return $"unknown frame kind {kind}";
        if (sixteen[5] != 0)
            return $"reserved flags byte is {sixteen[5]}, expected 0";
        ushort typeId = BinaryPrimitives.ReadUInt16LittleEndian(sixteen[6..]);
        int r = BinaryPrimitives.ReadUInt16LittleEndian(sixteen[8..]);
        int s = BinaryPrimitives.ReadUInt16LittleEndian(sixteen[10..]);
        int p = BinaryPrimitives.ReadInt32LittleEndian(sixteen[12..]);
        if (p < 0) return $"negative payload length {p}";
        long variable = (long)r + s + p;
        var k = (FrameKind)kind;
        if (k == FrameKind.Tensor)
        {
            if (p > FrameFormat.MaxTensorHeader) return $"tensor header of {p} bytes exceeds {FrameFormat.MaxTensorHeader}";
            if (FrameFormat.FixedHeader + variable > length) return $"tensor frame of {length} bytes is shorter than its {FrameFormat.FixedHeader + variable}-byte header";
        }
        else if (FrameFormat.FixedHeader + variable != length)
            return $"frame length {length} does not match header + names + payload ({FrameFormat.FixedHeader + variable})";
        header = new FrameHeader(length, k, typeId, r, s, p);
        return null;
    }
}

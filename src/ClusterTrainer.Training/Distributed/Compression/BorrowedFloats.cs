using System.Buffers;
using ClusterTrainer.Actors.Serialization;
using ClusterTrainer.Torch;

namespace ClusterTrainer.Training.Distributed.Compression;

/// <summary>
/// Float32 values that live in native memory (the worker's flat gradient buffer), seen as the
/// <see cref="ReadOnlyMemory{T}"/> of bytes a <see cref="TensorPayload"/> carries, so an uncompressed gradient
/// slice is sent without copying it into managed memory: remoting writes the tensor frame's data straight from
/// the native buffer to the socket, and a local receiver reads it in place.
/// <para>
/// Lifetime rule: the memory is borrowed, not owned. The sender must keep the buffer alive and must not
/// overwrite it (no next backward, no <c>zero_grad</c>) until the receiver has answered a later message on the
/// same connection. For a worker that is the reply to its next <see cref="PullParameters"/>: one connection per
/// node pair keeps the push's frame ahead of the pull's, so remoting has written the push's bytes by the time
/// the pull is answered, and a shard reads a push (accumulates or copies it) before it answers that worker's
/// next pull. If a pull is abandoned (timeout, retry elsewhere) that proof is gone: send the retry's gradient
/// with <see cref="GradientCodec.Encode"/> (a copy) instead. Disposing the payload does nothing to the buffer.
/// </para>
/// </summary>
public sealed unsafe class BorrowedFloats : MemoryManager<byte>
{
    private readonly float* _pointer;
    private readonly int _count;

    /// <summary>Borrows <paramref name="count"/> float32 values at <paramref name="address"/> (native or pinned memory only).</summary>
    public BorrowedFloats(nint address, int count)
    {
        if (address == 0) throw new ArgumentException("The address of the borrowed floats is null.", nameof(address));
        if (address % sizeof(float) != 0)
            throw new ArgumentException($"The address 0x{address:x} is not float-aligned; borrow from the start of a float element.", nameof(address));
        if (count < 0 || count > int.MaxValue / sizeof(float))
            throw new ArgumentOutOfRangeException(nameof(count), count,
                $"A borrowed slice holds 0 to {int.MaxValue / sizeof(float)} floats; cut larger tensors into several payloads.");
        _pointer = (float*)address;
        _count = count;
    }

    /// <summary>The number of float32 values borrowed.</summary>
    public int Count => _count;

    /// <summary>The address of the first borrowed value.</summary>
    public nint Address => (nint)_pointer;

    /// <summary>A Float32 payload of shape [<paramref name="count"/>] over native memory at <paramref name="address"/>; see the lifetime rule above.</summary>
    public static TensorPayload Payload(string name, long version, nint address, int count) =>
        new(name, version, TensorDType.Float32, [count], new BorrowedFloats(address, count).Memory);

    /// <summary>
    /// A Float32 payload over <paramref name="count"/> values of <paramref name="flat"/>'s gradient buffer from
    /// <paramref name="offset"/> (a shard's slice); see the lifetime rule above.
    /// </summary>
    public static TensorPayload Gradients(string name, long version, FlatParameters flat, long offset, int count)
    {
        ArgumentNullException.ThrowIfNull(flat);
        if (offset < 0 || count < 0 || offset + count > flat.Count)
            throw new ArgumentOutOfRangeException(nameof(offset),
                $"The slice [{offset}, {offset + count}) lies outside the model's {flat.Count} flat gradients; check the shard layout.");
        return Payload(name, version, flat.Gradients.data_ptr() + checked((nint)(offset * sizeof(float))), count);
    }

    public override Span<byte> GetSpan() => new(_pointer, _count * sizeof(float));

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        if ((uint)elementIndex > (uint)(_count * sizeof(float)))
            throw new ArgumentOutOfRangeException(nameof(elementIndex), elementIndex, $"Pin index must lie within the {_count * sizeof(float)} borrowed bytes.");
        return new MemoryHandle((byte*)_pointer + elementIndex); // native memory never moves
    }

    public override void Unpin() { }

    protected override void Dispose(bool disposing) { } // borrowed: the owner frees the memory
}

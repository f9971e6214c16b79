using ClusterTrainer.Actors.Buffers;

namespace ClusterTrainer.Actors.Remote.Transport;

/// <summary>
/// Reads frames from a stream through one pooled pinned read buffer. Small frames are parsed in place
/// (valid until the next read); a body larger than the buffer is read into a rented buffer of exactly
/// its size, and tensor data is read straight into the caller's destination. Not thread-safe: one
/// reader per connection, used by that connection's read loop only.
/// </summary>
public sealed class FrameReader : IDisposable
{
    public const int BufferSize = 128 * 1024;

    private readonly Stream _stream;
    private readonly PinnedBufferPool _pool;
    private readonly PooledBuffer _lease;
    private readonly byte[] _buffer;
    private PooledBuffer? _large;
    private int _start;
    private int _end;

    public FrameReader(Stream stream, PinnedBufferPool pool)
    {
        _stream = stream;
        _pool = pool;
        _lease = pool.Rent(BufferSize);
        _buffer = _lease.Array;
    }

    public long BytesRead { get; private set; }

    /// <summary>Reads the next header; null on a clean end of stream between frames. Throws
    /// <see cref="FrameRejectedException"/> for a header that breaks the format or the size limit.</summary>
    public async ValueTask<FrameHeader?> ReadHeaderAsync(int maxFrameSize, CancellationToken ct)
    {
        ReleaseLarge();
        if (!await EnsureAsync(FrameFormat.PrefixAndHeader, ct).ConfigureAwait(false)) return null;
        string? error = FrameHeader.TryParse(_buffer.AsSpan(_start, FrameFormat.PrefixAndHeader), maxFrameSize, out var header);
        if (error is not null) throw new FrameRejectedException(error);
        _start += FrameFormat.PrefixAndHeader;
        return header;
    }

    /// <summary>Reads <paramref name="length"/> body bytes; the memory is valid until the next call.</summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReadBodyAsync(int length, CancellationToken ct)
    {
        if (length <= _buffer.Length)
        {
            if (!await EnsureAsync(length, ct).ConfigureAwait(false)) throw new EndOfStreamException("The connection closed in the middle of a frame.");
            var m = new ReadOnlyMemory<byte>(_buffer, _start, length);
            _start += length;
            return m;
        }
        ReleaseLarge();
        _large = _pool.Rent(length);
        await ReadIntoAsync(_large.Memory, ct).ConfigureAwait(false);
        return _large.Memory;
    }

    /// <summary>Fills <paramref name="destination"/>: first from what is buffered, then straight from the stream.</summary>
    public async ValueTask ReadIntoAsync(Memory<byte> destination, CancellationToken ct)
    {
        int buffered = Math.Min(_end - _start, destination.Length);
        _buffer.AsSpan(_start, buffered).CopyTo(destination.Span);
        _start += buffered;
        int done = buffered;
        while (done < destination.Length)
        {
            int n = await _stream.ReadAsync(destination[done..], ct).ConfigureAwait(false);
            if (n == 0) throw new EndOfStreamException("The connection closed in the middle of a frame.");
            done += n;
            BytesRead += n;
        }
    }

    private async ValueTask<bool> EnsureAsync(int count, CancellationToken ct)
    {
        if (_end - _start >= count) return true;
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        while (_end < count)
        {
            int n = await _stream.ReadAsync(_buffer.AsMemory(_end), ct).ConfigureAwait(false);
            if (n == 0)
            {
                if (_end == 0) return false;
                throw new EndOfStreamException("The connection closed in the middle of a frame.");
            }
            _end += n;
            BytesRead += n;
        }
        return true;
    }

    private void ReleaseLarge()
    {
        _large?.Dispose();
        _large = null;
    }

    public void Dispose()
    {
        ReleaseLarge();
        _lease.Dispose();
    }
}

/// <summary>A frame broke the protocol; the connection that sent it is dropped with this reason.</summary>
public sealed class FrameRejectedException(string reason) : Exception(reason);

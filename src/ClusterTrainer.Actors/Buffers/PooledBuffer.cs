namespace ClusterTrainer.Actors.Buffers;

/// <summary>
/// A lease on a pinned array from a <see cref="PinnedBufferPool"/>. The holder owns it and disposes it
/// exactly once; after that the memory belongs to the next renter and must not be touched. Passing a
/// lease to another actor (inside a message) passes ownership with it.
/// </summary>
public sealed class PooledBuffer : IDisposable
{
    private readonly PinnedBufferPool _pool;
    private byte[]? _array;
    private readonly int _length;

    internal PooledBuffer(PinnedBufferPool pool, byte[] array, int length)
    {
        _pool = pool;
        _array = array;
        _length = length;
    }

    /// <summary>Usable length in bytes (the backing array may be larger).</summary>
    public int Length => _length;

    /// <summary>True once the lease was given back.</summary>
    public bool IsDisposed => Volatile.Read(ref _array) is null;

    /// <summary>The leased bytes. Throws once the lease is disposed.</summary>
    public Memory<byte> Memory => new(Array, 0, _length);

    /// <summary>The leased bytes as a span. Throws once the lease is disposed.</summary>
    public Span<byte> Span => new(Array, 0, _length);

    internal byte[] Array => Volatile.Read(ref _array)
        ?? throw new ObjectDisposedException(nameof(PooledBuffer), "This pooled buffer was already returned to its pool.");

    public void Dispose()
    {
        byte[]? array = Interlocked.Exchange(ref _array, null);
        if (array is null) { _pool.ReportDoubleReturn(); return; }
        _pool.Return(array);
    }
}

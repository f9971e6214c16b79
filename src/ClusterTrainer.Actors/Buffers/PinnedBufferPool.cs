using System.Collections.Concurrent;
using System.Diagnostics;
using System.Numerics;

namespace ClusterTrainer.Actors.Buffers;

/// <summary>
/// A bounded pool of pinned, power-of-two sized byte arrays (after Garnet's LimitedFixedBufferPool).
/// Network reads land directly in these arrays, so they are allocated on the pinned object heap
/// (<c>GC.AllocateArray(pinned: true)</c>) and never move while a socket writes into them.
/// <para>
/// Size classes run from <see cref="MinBufferSize"/> to <see cref="MaxBufferSize"/>; each class keeps at
/// most <c>maxPerClass</c> idle arrays and at most <c>maxIdleBytesPerClass</c> idle bytes (so the 64 MiB
/// class keeps a few arrays, not sixteen). A request larger than <see cref="MaxBufferSize"/> is refused with a
/// clear error (callers check sizes against their own frame limit first). When a class is full a
/// returned array is simply dropped for the GC, so the idle memory the pool holds is bounded.
/// </para>
/// <para>
/// Ownership: <see cref="Rent"/> hands out a <see cref="PooledBuffer"/> lease; whoever holds the lease
/// disposes it exactly once. Disposing twice is a bug: it fires <see cref="Debug.Assert(bool)"/> in
/// debug builds and bumps <see cref="DoubleReturnCount"/> in every build, and the array is not
/// returned twice (that would hand one array to two renters).
/// </para>
/// </summary>
public sealed class PinnedBufferPool
{
    /// <summary>A process-wide pool sized for the remote transport (4 KiB .. 128 MiB).</summary>
    public static PinnedBufferPool Shared { get; } = new(minBufferSize: 4096, maxBufferSize: 128 * 1024 * 1024, maxPerClass: 16);

    private readonly ConcurrentQueue<byte[]>[] _classes;
    private readonly int[] _idleCounts;
    private readonly int _minShift;
    private readonly int[] _maxIdle;
    private long _rented;
    private long _returned;
    private long _doubleReturns;
    private long _allocated;

    public PinnedBufferPool(int minBufferSize = 4096, int maxBufferSize = 128 * 1024 * 1024, int maxPerClass = 16, long maxIdleBytesPerClass = 256L * 1024 * 1024)
    {
        if (minBufferSize <= 0 || !BitOperations.IsPow2(minBufferSize))
            throw new ArgumentException($"minBufferSize must be a positive power of two, got {minBufferSize}.", nameof(minBufferSize));
        if (maxBufferSize < minBufferSize || !BitOperations.IsPow2(maxBufferSize))
            throw new ArgumentException($"maxBufferSize must be a power of two >= minBufferSize ({minBufferSize}), got {maxBufferSize}.", nameof(maxBufferSize));
        if (maxPerClass < 0)
            throw new ArgumentException($"maxPerClass must be >= 0, got {maxPerClass}.", nameof(maxPerClass));
        MinBufferSize = minBufferSize;
        MaxBufferSize = maxBufferSize;
        _minShift = BitOperations.Log2((uint)minBufferSize);
        int classCount = BitOperations.Log2((uint)maxBufferSize) - _minShift + 1;
        _classes = new ConcurrentQueue<byte[]>[classCount];
        _idleCounts = new int[classCount];
        _maxIdle = new int[classCount];
        for (int i = 0; i < classCount; i++)
        {
            _classes[i] = new ConcurrentQueue<byte[]>();
            long size = (long)minBufferSize << i;
            _maxIdle[i] = (int)Math.Min(maxPerClass, Math.Max(maxPerClass == 0 ? 0 : 1, maxIdleBytesPerClass / size));
        }
    }

    public int MinBufferSize { get; }
    public int MaxBufferSize { get; }

    /// <summary>Leases handed out so far.</summary>
    public long RentedCount => Interlocked.Read(ref _rented);
    /// <summary>Leases given back so far (each counted once).</summary>
    public long ReturnedCount => Interlocked.Read(ref _returned);
    /// <summary>Leases currently out (rented minus returned).</summary>
    public long OutstandingCount => RentedCount - ReturnedCount;
    /// <summary>Times a lease was disposed more than once: always a bug in the caller.</summary>
    public long DoubleReturnCount => Interlocked.Read(ref _doubleReturns);
    /// <summary>Arrays allocated because the matching class had none idle.</summary>
    public long AllocatedCount => Interlocked.Read(ref _allocated);

    /// <summary>Rents a pinned buffer whose usable <see cref="PooledBuffer.Length"/> is exactly <paramref name="length"/>
    /// (the backing array is the next power of two).</summary>
    public PooledBuffer Rent(int length)
    {
        if (length < 0)
            throw new ArgumentOutOfRangeException(nameof(length), length, "A buffer length cannot be negative.");
        if (length > MaxBufferSize)
            throw new ArgumentOutOfRangeException(nameof(length), length,
                $"Requested {length} bytes but this pool's largest buffer is {MaxBufferSize} bytes; raise maxBufferSize or send smaller payloads.");
        int cls = ClassOf(length);
        byte[]? array = null;
        if (_classes[cls].TryDequeue(out array))
            Interlocked.Decrement(ref _idleCounts[cls]);
        else
        {
            array = GC.AllocateUninitializedArray<byte>(MinBufferSize << cls, pinned: true);
            Interlocked.Increment(ref _allocated);
        }
        Interlocked.Increment(ref _rented);
        return new PooledBuffer(this, array, length);
    }

    internal void Return(byte[] array)
    {
        Interlocked.Increment(ref _returned);
        int cls = BitOperations.Log2((uint)array.Length) - _minShift;
        if (Interlocked.Increment(ref _idleCounts[cls]) <= _maxIdle[cls])
            _classes[cls].Enqueue(array);
        else
            Interlocked.Decrement(ref _idleCounts[cls]); // class full: let the GC have it
    }

    internal void ReportDoubleReturn()
    {
        Interlocked.Increment(ref _doubleReturns);
        Debug.Assert(false, "A PooledBuffer was returned to its pool twice; the lease owner must dispose it exactly once.");
    }

    private int ClassOf(int length)
    {
        if (length <= MinBufferSize) return 0;
        return BitOperations.Log2(BitOperations.RoundUpToPowerOf2((uint)length)) - _minShift;
    }
}

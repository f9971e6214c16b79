using System.Runtime.InteropServices;
using ClusterTrainer.Actors.Serialization;
using ClusterTrainer.Torch;
using ClusterTrainer.Training.Distributed.Compression;
using ClusterTrainer.Training.Tests.Distributed;
using Xunit;

namespace ClusterTrainer.Training.Tests.Compression;

/// <summary>A payload over native floats is a view, not a copy, and bad arguments are refused.</summary>
public sealed unsafe class BorrowedFloatsTests
{
    [Fact]
    public void The_payload_reads_the_native_memory_in_place()
    {
        const int count = 1000;
        float* native = (float*)NativeMemory.AlignedAlloc(count * sizeof(float), 64);
        try
        {
            var span = new Span<float>(native, count);
            for (int i = 0; i < count; i++) span[i] = i * 0.5f;
            var payload = BorrowedFloats.Payload("shard/4", 12, (nint)native, count);
            Assert.Equal((TensorDType.Float32, 12L, count * sizeof(float)), (payload.DType, payload.Version, payload.Data.Length));
            Assert.Equal([count], payload.Shape);
            Assert.Null(payload.Lease);
            fixed (byte* data = payload.Data.Span) Assert.Equal((nint)native, (nint)data); // no copy
            using (var pin = payload.Data.Pin()) Assert.Equal((nint)native, (nint)pin.Pointer);

            span[7] = -3f; // a later write shows through: the payload is a view (hence the lifetime rule)
            Assert.Equal(-3f, payload.AsFloats()[7]);
            var decoded = new float[count];
            GradientCodec.Decode(payload, decoded);
            Assert.Equal(span.ToArray(), decoded);

            payload.Dispose(); // borrowed: disposing leaves the owner's memory alone
            Assert.Equal(0.5f, span[1]);
        }
        finally { NativeMemory.AlignedFree(native); }
    }

    [Fact]
    public void Bad_addresses_and_counts_are_refused()
    {
        Assert.Contains("null", Assert.Throws<ArgumentException>(() => new BorrowedFloats(0, 4)).Message);
        Assert.Contains("not float-aligned", Assert.Throws<ArgumentException>(() => new BorrowedFloats(0x1002, 4)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BorrowedFloats(0x1000, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BorrowedFloats(0x1000, int.MaxValue / 2));
    }
}

/// <summary>Borrowing a shard's slice of a model's flat gradients (the model's init draws from torch's global RNG).</summary>
[Collection(TorchRngCollection.Name)]
public sealed unsafe class BorrowedGradientsTests
{
    [Fact]
    public void A_gradient_slice_of_flat_parameters_is_a_view_of_the_flat_gradient_buffer()
    {
        using var model = DistributedFixtures.Mlp();
        using var flat = FlatParameters.Create(model);
        var grads = flat.GradientsSpan;
        for (int i = 0; i < grads.Length; i++) grads[i] = i;
        int offset = 10, count = (int)flat.Count - 20;
        var payload = BorrowedFloats.Gradients("shard/1", 5, flat, offset, count);
        fixed (byte* data = payload.Data.Span)
        fixed (float* slice = grads.Slice(offset))
            Assert.Equal((nint)slice, (nint)data);
        Assert.Equal(grads.Slice(offset, count).ToArray(), payload.AsFloats().ToArray());

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => BorrowedFloats.Gradients("shard/9", 5, flat, offset, (int)flat.Count));
        Assert.Contains($"model's {flat.Count} flat gradients", e.Message);
    }
}

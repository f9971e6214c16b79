using ClusterTrainer.Training.Distributed.Compression;
using Xunit;

namespace ClusterTrainer.Training.Tests.Compression;

/// <summary>
/// The conversions over whole input spaces, checked against independent oracles: .NET's <see cref="Half"/> (IEEE
/// binary16, round to nearest even) for float16, a nearest-neighbour search in double arithmetic for bfloat16, and
/// the scalar forms for the vector bodies.
/// </summary>
public sealed class ConversionPropertyTests
{
    private const int RandomCount = 1 << 20;

    private static float[] RandomBitPatterns(int seed)
    {
        var rng = new Random(seed);
        var values = new float[RandomCount];
        for (int i = 0; i < values.Length; i++) values[i] = BitConverter.UInt32BitsToSingle((uint)rng.NextInt64(0, 1L << 32));
        return values;
    }

    [Fact]
    public void Every_half_decodes_to_its_exact_value_and_encodes_back_to_itself()
    {
        var all = Enumerable.Range(0, 1 << 16).Select(i => (ushort)i).ToArray();
        var decoded = new float[all.Length];
        Float16Bits.Decode(all, decoded);
        var again = new ushort[all.Length];
        Float16Bits.Encode(decoded, again);
        for (int i = 0; i < all.Length; i++)
        {
            float exact = (float)BitConverter.UInt16BitsToHalf(all[i]);
            if (float.IsNaN(exact))
            {
                // torch (c10's fp16_ieee_to_fp32_value) keeps sign and payload and sets the quiet bit
                uint quieted = (uint)(i & 0x8000) << 16 | 0x7FC0_0000 | (uint)(i & 0x03FF) << 13;
                Assert.True(quieted == BitConverter.SingleToUInt32Bits(decoded[i]), $"half NaN 0x{i:X4} decoded to 0x{BitConverter.SingleToUInt32Bits(decoded[i]):X8}, torch gives 0x{quieted:X8}");
                Assert.Equal((ushort)((i & 0x8000) | 0x7E00), again[i]); // every NaN encodes as the quiet NaN, sign kept
            }
            else
            {
                Assert.True(BitConverter.SingleToUInt32Bits(exact) == BitConverter.SingleToUInt32Bits(decoded[i]),
                    $"half 0x{i:X4} decoded to {decoded[i]:R}, exact value {exact:R}");
                Assert.True(all[i] == again[i], $"half 0x{i:X4} came back as 0x{again[i]:X4}");
            }
        }
    }

    [Fact]
    public void Float16_encoding_of_a_million_random_bit_patterns_equals_dotnet_half()
    {
        var values = RandomBitPatterns(1);
        var bits = new ushort[values.Length];
        Float16Bits.Encode(values, bits);
        for (int i = 0; i < values.Length; i++)
        {
            ushort expected = float.IsNaN(values[i])
                ? (ushort)((BitConverter.SingleToUInt32Bits(values[i]) >> 16 & 0x8000) | 0x7E00)
                : BitConverter.HalfToUInt16Bits((Half)values[i]);
            if (bits[i] != expected)
                Assert.Fail($"0x{BitConverter.SingleToUInt32Bits(values[i]):X8} ({values[i]:R}): expected 0x{expected:X4}, got 0x{bits[i]:X4}");
        }
    }

    [Fact]
    public void Every_bfloat16_decodes_to_its_top_bits_and_encodes_back_to_itself()
    {
        var all = Enumerable.Range(0, 1 << 16).Select(i => (ushort)i).ToArray();
        var decoded = new float[all.Length];
        BFloat16Bits.Decode(all, decoded);
        var again = new ushort[all.Length];
        BFloat16Bits.Encode(decoded, again);
        for (int i = 0; i < all.Length; i++)
        {
            Assert.Equal((uint)i << 16, BitConverter.SingleToUInt32Bits(decoded[i]));
            Assert.Equal(float.IsNaN(decoded[i]) ? (ushort)0xFFFF : all[i], again[i]);
        }
    }

    [Fact]
    public void BFloat16_encoding_of_a_million_random_bit_patterns_is_the_nearest_value_ties_to_even()
    {
        var values = RandomBitPatterns(2);
        var bits = new ushort[values.Length];
        BFloat16Bits.Encode(values, bits);
        for (int i = 0; i < values.Length; i++)
        {
            ushort expected = NearestBFloat16(values[i]);
            if (bits[i] != expected)
                Assert.Fail($"0x{BitConverter.SingleToUInt32Bits(values[i]):X8} ({values[i]:R}): expected 0x{expected:X4}, got 0x{bits[i]:X4}");
        }
    }

    /// <summary>The oracle: of the two bfloat16 values around <paramref name="f"/>, the nearer one (exact in double); on a
    /// tie the one with an even last bit. Past the largest finite value the next step is 2^128, which rounds to Inf (IEEE overflow).</summary>
    private static ushort NearestBFloat16(float f)
    {
        if (float.IsNaN(f)) return 0xFFFF;
        uint w = BitConverter.SingleToUInt32Bits(f);
        uint down = w >> 16, up = down + 1;                        // toward zero, and the next magnitude
        if ((w & 0xFFFF) == 0 || float.IsInfinity(f)) return (ushort)down;
        double lo = Math.Abs((double)BitConverter.UInt32BitsToSingle(down << 16));
        double hi = (up & 0x7FFF) == 0x7F80 ? Math.ScaleB(1.0, 128) : Math.Abs((double)BitConverter.UInt32BitsToSingle(up << 16));
        double x = Math.Abs((double)f);
        double dLo = x - lo, dHi = hi - x;
        if (dLo < dHi) return (ushort)down;
        if (dHi < dLo) return (ushort)up;
        return (ushort)((down & 1) == 0 ? down : up);
    }

    [Fact]
    public void Vector_bodies_equal_the_scalar_forms_on_a_million_random_bit_patterns()
    {
        var values = RandomBitPatterns(3);
        var half = new ushort[values.Length];
        var bf = new ushort[values.Length];
        Float16Bits.Encode(values, half);
        BFloat16Bits.Encode(values, bf);
        var halfBack = new float[values.Length];
        var bfBack = new float[values.Length];
        Float16Bits.Decode(half, halfBack);
        BFloat16Bits.Decode(bf, bfBack);
        for (int i = 0; i < values.Length; i++)
        {
            Assert.Equal(Float16Bits.FromSingle(values[i]), half[i]);
            Assert.Equal(BFloat16Bits.FromSingle(values[i]), bf[i]);
            Assert.Equal(BitConverter.SingleToUInt32Bits(Float16Bits.ToSingle(half[i])), BitConverter.SingleToUInt32Bits(halfBack[i]));
            Assert.Equal(BitConverter.SingleToUInt32Bits(BFloat16Bits.ToSingle(bf[i])), BitConverter.SingleToUInt32Bits(bfBack[i]));
        }
    }
}

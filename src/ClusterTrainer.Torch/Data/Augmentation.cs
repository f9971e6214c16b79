namespace ClusterTrainer.Torch.Data;

/// <summary>
/// A random image transform applied in place to one [C, H, W] float image. The random stream is given
/// by the caller (derived from seed, epoch and sample index), so augmentation is reproducible and
/// independent of batch composition, thread and node.
/// </summary>
public interface IImageTransform
{
    void Apply(Span<float> image, int channels, int height, int width, ref DataRandom rng);
}

/// <summary>Mirrors the image left-right with probability <see cref="P"/>.</summary>
public sealed record RandomHorizontalFlip(double P = 0.5) : IImageTransform
{
    public void Apply(Span<float> image, int channels, int height, int width, ref DataRandom rng)
    {
        if (rng.NextDouble() >= P) return;
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < height; y++)
                image.Slice((c * height + y) * width, width).Reverse();
    }
}

/// <summary>
/// Rotates by a uniform angle in [-<see cref="MaxDegrees"/>, +<see cref="MaxDegrees"/>] about the centre
/// and shifts by a uniform whole-or-fractional offset of up to <see cref="MaxShiftPixels"/> in each axis,
/// with bilinear sampling; pixels from outside the image are <see cref="Fill"/>.
/// </summary>
public sealed record RandomAffine(double MaxDegrees = 10, double MaxShiftPixels = 2, float Fill = 0f) : IImageTransform
{
    public void Apply(Span<float> image, int channels, int height, int width, ref DataRandom rng)
    {
        double angle = (rng.NextDouble() * 2 - 1) * MaxDegrees * Math.PI / 180.0;
        double dx = (rng.NextDouble() * 2 - 1) * MaxShiftPixels;
        double dy = (rng.NextDouble() * 2 - 1) * MaxShiftPixels;
        if (angle == 0 && dx == 0 && dy == 0) return;
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        double cx = (width - 1) / 2.0, cy = (height - 1) / 2.0;
        int plane = height * width;
        float[] rented = System.Buffers.ArrayPool<float>.Shared.Rent(plane);
        try
        {
            var source = rented.AsSpan(0, plane);
            for (int c = 0; c < channels; c++)
            {
                var dst = image.Slice(c * plane, plane);
                dst.CopyTo(source);
                for (int y = 0; y < height; y++)
                    for (int x = 0; x < width; x++)
                    {
                        // Inverse map: output pixel -> source position (undo the shift, then the rotation).
                        double ox = x - cx - dx, oy = y - cy - dy;
                        double sx = cos * ox + sin * oy + cx;
                        double sy = -sin * ox + cos * oy + cy;
                        dst[y * width + x] = Bilinear(source, width, height, sx, sy);
                    }
            }
        }
        finally { System.Buffers.ArrayPool<float>.Shared.Return(rented); }
    }

    private float Bilinear(ReadOnlySpan<float> src, int width, int height, double x, double y)
    {
        int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y);
        double fx = x - x0, fy = y - y0;
        double v00 = At(src, width, height, x0, y0), v10 = At(src, width, height, x0 + 1, y0);
        double v01 = At(src, width, height, x0, y0 + 1), v11 = At(src, width, height, x0 + 1, y0 + 1);
        return (float)((v00 * (1 - fx) + v10 * fx) * (1 - fy) + (v01 * (1 - fx) + v11 * fx) * fy);
    }

    private float At(ReadOnlySpan<float> src, int width, int height, int x, int y) =>
        (uint)x < (uint)width && (uint)y < (uint)height ? src[y * width + x] : Fill;
}

/// <summary>Adds N(0, <see cref="Std"/>²) noise to every pixel, optionally clamping to [min, max].</summary>
public sealed record GaussianNoise(double Std = 0.05, float? ClampMin = null, float? ClampMax = null) : IImageTransform
{
    public void Apply(Span<float> image, int channels, int height, int width, ref DataRandom rng)
    {
        for (int i = 0; i < image.Length; i++)
        {
            float v = image[i] + (float)(rng.NextGaussian() * Std);
            if (ClampMin is { } lo && v < lo) v = lo;
            if (ClampMax is { } hi && v > hi) v = hi;
            image[i] = v;
        }
    }
}

/// <summary>
/// A pipeline of image transforms for training batches. Each sample gets its own random stream from
/// (seed, epoch, dataset index), so the same sample is augmented the same way wherever and in whatever
/// batch it is loaded, and differently in every epoch.
/// </summary>
public sealed class ImageAugmentation
{
    private readonly IImageTransform[] _transforms;

    public ImageAugmentation(params IImageTransform[] transforms)
    {
        if (transforms.Length == 0) throw new ArgumentException("give at least one transform.", nameof(transforms));
        _transforms = transforms;
    }

    /// <summary>The usual light augmentation for 28×28 grey images: flip, ±10°, ±2 px, noise σ=0.02.</summary>
    public static ImageAugmentation Default() =>
        new(new RandomHorizontalFlip(), new RandomAffine(10, 2), new GaussianNoise(0.02, 0f, 1f));

    /// <summary>Augments a gathered batch in place: <paramref name="images"/> holds one [C, H, W]
    /// image per entry of <paramref name="sampleIndices"/>.</summary>
    public void ApplyToBatch(Span<float> images, ReadOnlySpan<int> sampleIndices, int[] sampleShape, ulong seed, int epoch)
    {
        var (c, h, w) = sampleShape.Length switch
        {
            3 => (sampleShape[0], sampleShape[1], sampleShape[2]),
            2 => (1, sampleShape[0], sampleShape[1]),
            _ => throw new ArgumentException($"image augmentation needs samples of shape [C, H, W] or [H, W], not [{string.Join(", ", sampleShape)}].", nameof(sampleShape)),
        };
        int size = c * h * w;
        if (images.Length < sampleIndices.Length * size)
            throw new ArgumentException($"the batch buffer holds {images.Length} floats; {sampleIndices.Length} images of {size} need more.", nameof(images));
        for (int i = 0; i < sampleIndices.Length; i++)
        {
            var rng = DataRandom.For(seed, 0xA09, epoch, sampleIndices[i]);
            var image = images.Slice(i * size, size);
            foreach (var t in _transforms) t.Apply(image, c, h, w, ref rng);
        }
    }
}

namespace ClusterTrainer.Torch.Data;

/// <summary>Which half of MNIST-style data to load.</summary>
public enum MnistSplit { Train, Test }

/// <summary>
/// Loads MNIST-layout image datasets (Fashion-MNIST, MNIST) from their four IDX files into a
/// <see cref="TensorDataset"/> of [1, 28, 28] float images scaled to [0, 1] and int64 labels.
/// The default folder is where Debian's <c>dataset-fashion-mnist</c> package installs the files.
/// </summary>
public static class FashionMnist
{
    /// <summary>Debian's dataset-fashion-mnist install folder.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Fashion-MNIST's class names, by label.</summary>
    public static readonly IReadOnlyList<string> ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    public const int ClassCount = 10;

    /// <summary>Loads a split; <paramref name="directory"/> defaults to <see cref="DefaultDirectory"/>.
    /// <paramref name="limit"/> keeps only the first N samples (tests and quick runs).</summary>
    public static TensorDataset Load(MnistSplit split, string? directory = null, int? limit = null)
    {
        directory ??= DefaultDirectory;
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException(
                $"data directory '{directory}' does not exist. Install Debian's dataset-fashion-mnist package " +
                $"(it fills {DefaultDirectory}) or pass a folder holding the four MNIST-style IDX files.");
        string prefix = split == MnistSplit.Train ? "train" : "t10k";
        var images = IdxReader.Read(Locate(directory, $"{prefix}-images-idx3-ubyte"), expectedRank: 3);
        var labels = IdxReader.Read(Locate(directory, $"{prefix}-labels-idx1-ubyte"), expectedRank: 1);
        return FromIdx(images, labels, limit);
    }

    /// <summary>Builds the dataset from already-read IDX images ([N, H, W] uint8) and labels ([N] uint8).</summary>
    public static TensorDataset FromIdx(IdxFile images, IdxFile labels, int? limit = null)
    {
        if (images.ElementType != IdxElementType.UInt8 || images.Dimensions.Length != 3)
            throw new InvalidDataException($"'{images.Path}' is {images.ElementType} [{string.Join("x", images.Dimensions)}]; expected uint8 images [N x H x W].");
        if (labels.ElementType != IdxElementType.UInt8 || labels.Dimensions.Length != 1)
            throw new InvalidDataException($"'{labels.Path}' is {labels.ElementType} [{string.Join("x", labels.Dimensions)}]; expected uint8 labels [N].");
        int n = images.Dimensions[0];
        if (labels.Dimensions[0] != n)
            throw new InvalidDataException($"'{images.Path}' holds {n} images but '{labels.Path}' holds {labels.Dimensions[0]} labels; " +
                                           "the two files must come from the same split.");
        if (limit is { } l)
        {
            if (l <= 0) throw new ArgumentOutOfRangeException(nameof(limit), l, "must be positive");
            n = Math.Min(n, l);
        }
        int h = images.Dimensions[1], w = images.Dimensions[2];
        int pixels = h * w;
        var x = new float[(long)n * pixels];
        var raw = images.Data.Span;
        for (int i = 0; i < x.Length; i++) x[i] = raw[i] / 255f; // as torchvision ToTensor: exact division, not a multiply by 1/255
        var y = new long[n];
        for (int i = 0; i < n; i++)
        {
            byte label = labels.Data.Span[i];
            if (label >= ClassCount)
                throw new InvalidDataException($"'{labels.Path}' has label {label} at position {i}; expected 0..{ClassCount - 1}.");
            y[i] = label;
        }
        return new TensorDataset(x, [1, h, w], y);
    }

    /// <summary>Finds NAME.gz or NAME in the folder, naming both candidates when neither exists.</summary>
    private static string Locate(string directory, string name)
    {
        string gz = Path.Combine(directory, name + ".gz");
        if (File.Exists(gz)) return gz;
        string plain = Path.Combine(directory, name);
        if (File.Exists(plain)) return plain;
        throw new FileNotFoundException(
            $"neither '{gz}' nor '{plain}' exists. The folder must hold the MNIST-style IDX files " +
            "(train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, gzip or plain).", gz);
    }
}

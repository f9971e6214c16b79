using System.Buffers.Binary;
using System.IO.Compression;
using ClusterTrainer.Torch.Data;
using Xunit;

namespace ClusterTrainer.Torch.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ct-idx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Idx(byte type, int[] dims, byte[] payload)
    {
        var bytes = new byte[4 + 4 * dims.Length + payload.Length];
        bytes[2] = type;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), dims[i]);
        payload.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    private string Write(string name, byte[] bytes, bool gzip)
    {
        string path = Path.Combine(_dir, name);
        if (!gzip) { File.WriteAllBytes(path, bytes); return path; }
        using var f = File.Create(path);
        using var gz = new GZipStream(f, CompressionLevel.Fastest);
        gz.Write(bytes);
        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_plain_and_gzip_files_with_dims_and_payload(bool gzip)
    {
        var payload = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)i).ToArray();
        var file = IdxReader.Read(Write("images", Idx(0x08, [2, 3, 4], payload), gzip), expectedRank: 3);
        Assert.Equal(IdxElementType.UInt8, file.ElementType);
        Assert.Equal([2, 3, 4], file.Dimensions);
        Assert.Equal(payload, file.Data.ToArray());
    }

    [Fact]
    public void Missing_file_names_the_path_and_the_package()
    {
        var e = Assert.Throws<FileNotFoundException>(() => IdxReader.Read(Path.Combine(_dir, "nope-idx1-ubyte")));
        Assert.Contains("nope-idx1-ubyte", e.Message);
        Assert.Contains("dataset-fashion-mnist", e.Message);
    }

    [Fact]
    public void Truncated_file_says_how_many_bytes_were_expected()
    {
        var full = Idx(0x08, [10], new byte[10]);
        var path = Write("labels", full[..^3], gzip: true);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains($"{full.Length}", e.Message);
    }

    [Fact]
    public void Cut_off_gzip_download_is_refused_naming_the_file()
    {
        var rng = new Random(1);
        var payload = new byte[4000];
        rng.NextBytes(payload); // incompressible, so cutting the .gz loses payload bytes
        var path = Write("images.gz", Idx(0x08, [10, 20, 20], payload), gzip: true);
        var gz = File.ReadAllBytes(path);
        File.WriteAllBytes(path, gz[..(gz.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Wrong_magic_and_wrong_rank_are_refused_with_the_expectation()
    {
        var png = Write("picture.png", [0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 0], gzip: false);
        Assert.Contains("expected 0x0000TTNN", Assert.Throws<InvalidDataException>(() => IdxReader.Read(png)).Message);
        var labels = Write("labels", Idx(0x08, [3], new byte[3]), gzip: false);
        var e = Assert.Throws<InvalidDataException>(() => IdxReader.Read(labels, expectedRank: 3));
        Assert.Contains("expected 3", e.Message);
    }

    [Fact]
    public void Trailing_bytes_are_refused()
    {
        var path = Write("labels", [.. Idx(0x08, [2], [1, 2]), 7], gzip: false);
        Assert.Contains("trailing data", Assert.Throws<InvalidDataException>(() => IdxReader.Read(path)).Message);
    }

    [Fact]
    public void Mnist_loader_scales_pixels_and_checks_label_range_and_counts()
    {
        var images = IdxReader.Parse("img", Idx(0x08, [2, 2, 2], [0, 255, 51, 102, 0, 0, 0, 0]));
        var labels = IdxReader.Parse("lab", Idx(0x08, [2], [3, 9]));
        var ds = FashionMnist.FromIdx(images, labels);
        Assert.Equal(2, ds.Count);
        Assert.Equal([1, 2, 2], ds.SampleShape);
        Assert.Equal([0f, 1f, 0.2f, 0.4f], ds.Input(0).ToArray());
        Assert.Equal([3L, 9L], ds.ClassLabels!);

        var badLabels = IdxReader.Parse("lab", Idx(0x08, [2], [3, 10]));
        Assert.Contains("label 10", Assert.Throws<InvalidDataException>(() => FashionMnist.FromIdx(images, badLabels)).Message);
        var fewLabels = IdxReader.Parse("lab", Idx(0x08, [1], [3]));
        Assert.Contains("same split", Assert.Throws<InvalidDataException>(() => FashionMnist.FromIdx(images, fewLabels)).Message);
    }

    [Fact]
    public void Mnist_loader_names_missing_files_in_a_folder()
    {
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(MnistSplit.Test, _dir));
        Assert.Contains("t10k-images-idx3-ubyte", e.Message);
        Assert.Throws<DirectoryNotFoundException>(() => FashionMnist.Load(MnistSplit.Test, Path.Combine(_dir, "absent")));
    }

    [Fact]
    public void Real_fashion_mnist_test_split_loads_when_installed()
    {
        if (!File.Exists(Path.Combine(FashionMnist.DefaultDirectory, "t10k-labels-idx1-ubyte.gz")))
            return; // the Debian package is not installed on this machine; the synthetic tests above cover the parser
        var test = FashionMnist.Load(MnistSplit.Test);
        Assert.Equal(10_000, test.Count);
        Assert.Equal([1, 28, 28], test.SampleShape);
        // Fashion-MNIST's test split is balanced: 1000 images per class.
        Assert.All(test.ClassLabels!.GroupBy(l => l), g => Assert.Equal(1000, g.Count()));
        Assert.InRange(test.Inputs.Average(), 0.25, 0.32); // mean pixel ≈ 0.286
    }
}

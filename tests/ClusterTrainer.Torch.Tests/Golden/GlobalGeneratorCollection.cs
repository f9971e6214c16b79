using Xunit;

namespace ClusterTrainer.Torch.Tests.Golden;

/// <summary>
/// Tests that seed libtorch's global generator and then draw from it (default init, dropout masks) must not
/// interleave with any other test drawing from it. Classes in this collection run on their own, after the
/// parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalGeneratorCollection
{
    public const string Name = "libtorch global generator";
}

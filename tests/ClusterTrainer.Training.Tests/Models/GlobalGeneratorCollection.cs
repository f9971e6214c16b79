using Xunit;

namespace ClusterTrainer.Training.Tests.Models;

/// <summary>
/// Tests that seed libtorch's process-wide generator (manual_seed) and then train: run one at a time,
/// or parallel tests interleave draws (initialisation, dropout, noise) and seeded results vary by run.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalGeneratorCollection
{
    public const string Name = "training-global-generator";
}

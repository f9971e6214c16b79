using Xunit;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Torch.Tests.Core;

[Collection(LiveCounterCollection.Name)] // changes process-wide settings: run alone
public sealed class TuningTests
{
    [Fact]
    public void Thread_count_defaults_to_the_settings_and_can_be_changed_and_restored()
    {
        using var warm = ones(1); // make sure the library (and its load-time tuning) is in
        var original = get_num_threads();
        var expected = int.TryParse(Environment.GetEnvironmentVariable("CLUSTERTRAINER_THREADS"), out var env) ? env : Environment.ProcessorCount;
        Assert.Equal(expected, original);
        try
        {
            set_num_threads(1);
            Assert.Equal(1, get_num_threads());
            using var product = ones(64, 64).matmul(ones(64, 64));
            Assert.Equal(64f, product[0, 0].item<float>());
        }
        finally
        {
            set_num_threads(original);
        }
        Assert.Equal(original, get_num_threads());
        Assert.Throws<ArgumentOutOfRangeException>(() => set_num_threads(0));
    }

    [Fact]
    public void OpenBlas_and_malloc_settings_apply_without_error()
    {
        using var warm = ones(1);
        var blas = NativeMethods.ct_openblas_get_num_threads();
        if (TorchSettings.OpenBlasFound) Assert.Equal(TorchSettings.OpenBlasThreads, blas);
        else Assert.Equal(-1, blas); // the BLAS alternative in use is not OpenBLAS
        var tuning = TorchSettings.MallocTuning;
        TorchSettings.MallocTuning = !tuning;
        TorchSettings.MallocTuning = tuning;
        Assert.Equal(tuning, TorchSettings.MallocTuning);
        var ex = Assert.Throws<InvalidOperationException>(() => TorchSettings.MallocArenaMax = 2);
        Assert.Contains("before the first torch call", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => TorchSettings.OpenBlasThreads = 0);
    }
}

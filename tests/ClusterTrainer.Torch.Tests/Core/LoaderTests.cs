using Xunit;

namespace ClusterTrainer.Torch.Tests.Core;

public sealed class LoaderTests
{
    [Fact]
    public void The_shim_is_searched_next_to_the_app_then_the_env_dir_then_up_the_tree()
    {
        var candidates = NativeLibraryLoader.Candidates().ToList();
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "libct_torch.so"), candidates[0]);
        var repoLevel = candidates.Where(c => c.EndsWith(Path.Combine("artifacts", "native", "libct_torch.so"))).ToList();
        Assert.NotEmpty(repoLevel);
        Assert.Contains(Path.Combine(Path.GetPathRoot(AppContext.BaseDirectory)!, "artifacts", "native", "libct_torch.so"), repoLevel);
        var env = Environment.GetEnvironmentVariable("CLUSTERTRAINER_NATIVE_DIR");
        if (!string.IsNullOrEmpty(env)) Assert.Contains(Path.Combine(env, "libct_torch.so"), candidates);
    }

    [Fact]
    public void A_missing_shim_is_reported_with_the_command_that_builds_it()
    {
        var message = NativeLibraryLoader.MissingMessage(new[] { "/nowhere/libct_torch.so" });
        Assert.Contains("/nowhere/libct_torch.so", message);
        Assert.Contains("./build.sh setup", message);
        Assert.Contains("CLUSTERTRAINER_NATIVE_DIR", message);
    }

    [Fact]
    public void The_loaded_shim_answers()
    {
        Assert.Equal(1, NativeMethods.ct_version());
    }
}

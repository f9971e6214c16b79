using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ClusterTrainer.Torch;

/// <summary>
/// Finds and loads the native shim libct_torch.so, then applies <see cref="TorchSettings"/>' load-time tuning.
/// Search order: the app's base directory, the folder of this assembly, <c>$CLUSTERTRAINER_NATIVE_DIR</c>,
/// then every parent of the assembly's folder that holds <c>artifacts/native/libct_torch.so</c> (so
/// <c>dotnet test</c> works in a repo checkout after the CMake build), then the system loader's path.
/// </summary>
internal static class NativeLibraryLoader
{
    internal const string LibraryName = "ct_torch";
    private const string FileName = "libct_torch.so";
    private static IntPtr loaded;

    // A library registering the resolver for its own native dependency is what module initializers are for.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() =>
        NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != LibraryName) return IntPtr.Zero;
        if (loaded != IntPtr.Zero) return loaded;
        lock (typeof(NativeLibraryLoader))
        {
            if (loaded != IntPtr.Zero) return loaded;
            var tried = new List<string>();
            foreach (var candidate in Candidates())
            {
                tried.Add(candidate);
                if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle))
                {
                    TorchSettings.ApplyAtLoad(handle);
                    loaded = handle;
                    return handle;
                }
            }
            if (NativeLibrary.TryLoad(FileName, out var fromSystem))
            {
                TorchSettings.ApplyAtLoad(fromSystem);
                loaded = fromSystem;
                return fromSystem;
            }
            throw new DllNotFoundException(MissingMessage(tried));
        }
    }

    internal static string MissingMessage(IEnumerable<string> tried) =>
        $"could not load the native shim {FileName} (looked in: {string.Join(", ", tried)}, then the system " +
        "library path). Build it with `./build.sh setup`, or `cmake -S src/ClusterTrainer.Torch/native -B " +
        "artifacts/native -DCMAKE_BUILD_TYPE=Release && cmake --build artifacts/native -j2`, or point " +
        "CLUSTERTRAINER_NATIVE_DIR at the folder that holds it. If the file exists but fails to load, check " +
        "that libtorch-dev (libtorch 1.13) is installed.";

    internal static IEnumerable<string> Candidates()
    {
        yield return Path.Combine(AppContext.BaseDirectory, FileName);
        var assemblyDir = Path.GetDirectoryName(typeof(NativeLibraryLoader).Assembly.Location);
        if (!string.IsNullOrEmpty(assemblyDir)) yield return Path.Combine(assemblyDir, FileName);
        var env = Environment.GetEnvironmentVariable("CLUSTERTRAINER_NATIVE_DIR");
        if (!string.IsNullOrEmpty(env)) yield return Path.Combine(env, FileName);
        for (var dir = assemblyDir is null ? null : new DirectoryInfo(assemblyDir); dir is not null; dir = dir.Parent)
            yield return Path.Combine(dir.FullName, "artifacts", "native", FileName);
    }
}

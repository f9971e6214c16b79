using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using ClusterTrainer.Training.Control;
using Xunit;

namespace ClusterTrainer.Node.Tests.Deploy;

/// <summary>
/// deploy/Dockerfile and deploy/Dockerfile.cuda read against the repository (no Docker engine needed): every
/// path a build step uses exists and is in the build context, the shim is built the way build.sh builds it
/// into the folder the Torch project ships from, the published projects and the entrypoint agree, and the
/// runtime stage is a non-root node with a healthcheck, SIGTERM and real NodeOptions settings.
/// </summary>
public sealed partial class DockerfileTests
{
    public static TheoryData<string> Dockerfiles => new() { "deploy/Dockerfile", "deploy/Dockerfile.cuda" };

    private const string NodeProject = "src/ClusterTrainer.Node/ClusterTrainer.Node.csproj";
    private const string CliProject = "src/ClusterTrainer.Cli/ClusterTrainer.Cli.csproj";

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Every_path_copied_from_the_context_exists_and_is_not_docker_ignored(string dockerfile)
    {
        var stages = Dockerfile.Parse(Repo.PathOf(dockerfile));
        var ignore = DockerIgnore.Load(Repo.PathOf(".dockerignore"));
        var names = new List<string>();
        foreach (var stage in stages)
        {
            foreach (var copy in stage.All("COPY"))
            {
                var (from, sources, _) = Dockerfile.Copy(copy);
                if (from is not null)
                {
                    Assert.True(names.Contains(from) || from.Contains('/') || from.Contains(':'),
                        $"{dockerfile}:{copy.Line}: COPY --from={from} names no earlier stage");
                    continue;
                }
                foreach (string source in sources.Where(s => s != "."))
                {
                    Assert.True(File.Exists(Repo.PathOf(source)) || Directory.Exists(Repo.PathOf(source)),
                        $"{dockerfile}:{copy.Line}: COPY {source}, which is not in the repository");
                    Assert.False(ignore.Excludes(source), $"{dockerfile}:{copy.Line}: COPY {source}, which .dockerignore leaves out");
                }
            }
            names.Add(stage.Name);
        }
    }

    [Fact]
    public void The_build_context_leaves_out_host_build_outputs_and_secrets()
    {
        var ignore = DockerIgnore.Load(Repo.PathOf(".dockerignore"));
        foreach (string path in new[] { "artifacts/native/libct_torch.so", "src/ClusterTrainer.Node/bin/x", "src/ClusterTrainer.Node/obj/x", ".git/HEAD", ".env", "k8s/base/secrets.env" })
            Assert.True(ignore.Excludes(path), $".dockerignore lets {path} into the image build");
        foreach (string path in new[] { NodeProject, CliProject, "src/ClusterTrainer.Torch/native/CMakeLists.txt", "Directory.Packages.props" })
            Assert.False(ignore.Excludes(path), $".dockerignore leaves out {path}, which the build needs");
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void The_shim_is_built_with_cmake_like_build_sh_into_the_folder_the_Torch_project_ships_from(string dockerfile)
    {
        string run = Build(dockerfile).Run;
        var cmake = CmakeConfigure().Match(run);
        Assert.True(cmake.Success, $"{dockerfile} has no 'cmake -S DIR -B DIR' step");
        string source = cmake.Groups[1].Value, binary = cmake.Groups[2].Value;

        Assert.True(File.Exists(Path.Combine(Repo.PathOf(source), "CMakeLists.txt")), $"{dockerfile}: cmake -S {source} has no CMakeLists.txt");
        var buildSh = CmakeConfigure().Match(File.ReadAllText(Repo.PathOf("build.sh")));
        Assert.Equal(buildSh.Groups[1].Value, source);
        Assert.Contains($"cmake --build {binary}", run);

        // ClusterTrainer.Torch.csproj copies $(NativeBuildDir)libct_torch.so into every publish: same folder.
        string nativeBuildDir = XDocument.Load(Repo.PathOf("Directory.Build.props")).Descendants("NativeBuildDir").Single().Value;
        Assert.Equal(nativeBuildDir.Replace("$(RepoRoot)", "").TrimEnd('/'), binary.TrimEnd('/'));
        string torchProject = File.ReadAllText(Repo.PathOf("src/ClusterTrainer.Torch/ClusterTrainer.Torch.csproj"));
        Assert.Contains("$(NativeBuildDir)libct_torch.so", torchProject);
        Assert.Contains("CopyToPublishDirectory", torchProject);
        Assert.True(run.IndexOf("cmake -S", StringComparison.Ordinal) < run.IndexOf("dotnet publish", StringComparison.Ordinal),
            $"{dockerfile}: the shim must exist before dotnet publish, which ships it only if it is there");
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Published_projects_exist_and_the_entrypoint_runs_the_node_command_of_the_published_node(string dockerfile)
    {
        var stages = Dockerfile.Parse(Repo.PathOf(dockerfile));
        string run = Build(dockerfile).Run;
        var published = DotnetPublish().Matches(run).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        foreach (var project in DotnetProject().Matches(run).Select(m => m.Groups[1].Value))
            Assert.True(File.Exists(Repo.PathOf(project)), $"{dockerfile}: dotnet step on {project}, which is not in the repository");
        Assert.Contains(NodeProject, published.Keys);
        Assert.Contains(CliProject, published.Keys);

        var runtime = stages[^1];
        string AppDir(string project) => runtime.All("COPY").Select(Dockerfile.Copy)
            .Single(c => c.From == Build(dockerfile).Name && c.Sources.Single().TrimEnd('/') == published[project]).Destination.TrimEnd('/');

        var entrypoint = JsonSerializer.Deserialize<string[]>(runtime.All("ENTRYPOINT").Single().Arguments)!;
        Assert.Contains($"{AppDir(NodeProject)}/{AssemblyName(NodeProject)}.dll", entrypoint);
        Assert.Equal("node", entrypoint[^1]);
        Assert.Contains($"{AppDir(CliProject)}/{AssemblyName(CliProject)}", runtime.Run);
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void The_runtime_is_a_non_root_node_with_a_healthcheck_SIGTERM_and_real_NodeOptions_settings(string dockerfile)
    {
        var runtime = Dockerfile.Parse(Repo.PathOf(dockerfile))[^1];
        string user = runtime.All("USER").Last().Arguments;
        Assert.DoesNotContain(user, new[] { "root", "0", "0:0" });
        Assert.Contains(user, runtime.Run);

        var env = runtime.Env;
        NodeEnv.AssertAllKnown(env.Keys, dockerfile);
        NodeEnv.AssertValid(env, dockerfile, fromDeployer: true);
        Assert.Equal("0.0.0.0", env[NodeEnv.Name(nameof(NodeOptions.Host))]);
        Assert.Equal(new NodeOptions().DataDir, env[NodeEnv.Name(nameof(NodeOptions.DataDir))]);

        var exposed = runtime.All("EXPOSE").SelectMany(e => e.Arguments.Split(' ')).ToList();
        Assert.Contains(env[NodeEnv.Name(nameof(NodeOptions.Port))], exposed);
        Assert.Contains(env[NodeEnv.Name(nameof(NodeOptions.HttpPort))], exposed);

        string healthcheck = runtime.All("HEALTHCHECK").Single().Arguments;
        Assert.Contains($"127.0.0.1:${{{NodeEnv.Name(nameof(NodeOptions.HttpPort))}}}/healthz", healthcheck);
        Assert.Contains("curl", runtime.AptPackages);
        Assert.Equal("SIGTERM", runtime.All("STOPSIGNAL").Single().Arguments);
        Assert.Contains("dataset-fashion-mnist", runtime.AptPackages);

        // The runtime installs no ICU: that only works while the apps are built with invariant globalization.
        if (!runtime.AptPackages.Any(p => p.StartsWith("libicu", StringComparison.Ordinal)))
            Assert.Equal("true", XDocument.Load(Repo.PathOf("Directory.Build.props")).Descendants("InvariantGlobalization").Single().Value);
    }

    [Fact]
    public void The_cpu_image_builds_on_Debian_libtorch_and_runs_with_its_runtime_libraries()
    {
        var stages = Dockerfile.Parse(Repo.PathOf("deploy/Dockerfile"));
        Assert.Superset(new HashSet<string> { "libtorch-dev", "g++", "cmake", "make" }, Build("deploy/Dockerfile").AptPackages);
        Assert.Superset(new HashSet<string> { "libtorch1.13", "libopenblas0-pthread" }, stages[^1].AptPackages);
        Assert.Equal("cpu", stages[^1].Env[NodeEnv.Name(nameof(NodeOptions.Device))]);
    }

    [Fact]
    public void The_cuda_image_builds_against_the_wheels_libtorch_and_ships_its_libraries()
    {
        var stages = Dockerfile.Parse(Repo.PathOf("deploy/Dockerfile.cuda"));
        var build = Build("deploy/Dockerfile.cuda");
        Assert.Contains("pip3 download", string.Join("\n", stages.Select(s => s.Run)));
        Assert.Contains("-DCMAKE_PREFIX_PATH=/opt/libtorch/share/cmake", build.Run);
        Assert.Contains("libtorch_cuda.so", build.Run);
        Assert.Contains(stages[^1].All("COPY").Select(Dockerfile.Copy), c => c.Destination == "/opt/libtorch/lib");
        Assert.Equal("cuda", stages[^1].Env[NodeEnv.Name(nameof(NodeOptions.Device))]);
        Assert.Contains("/opt/libtorch/lib", stages[^1].Env["LD_LIBRARY_PATH"]);
    }

    /// <summary>The stage that runs dotnet publish.</summary>
    private static Stage Build(string dockerfile) =>
        Dockerfile.Parse(Repo.PathOf(dockerfile)).Single(s => s.Run.Contains("dotnet publish", StringComparison.Ordinal));

    private static string AssemblyName(string project) =>
        XDocument.Load(Repo.PathOf(project)).Descendants("AssemblyName").SingleOrDefault()?.Value
        ?? Path.GetFileNameWithoutExtension(project);

    [GeneratedRegex(@"cmake -S (\S+) -B (\S+)")]
    private static partial Regex CmakeConfigure();

    [GeneratedRegex(@"dotnet (?:restore|publish|build) (\S+\.csproj)")]
    private static partial Regex DotnetProject();

    [GeneratedRegex(@"dotnet publish (\S+\.csproj)\b[^&\n]*?-o (\S+)")]
    private static partial Regex DotnetPublish();
}

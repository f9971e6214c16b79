using System.Text;

namespace ClusterTrainer.Cli.Tests.Fakes;

/// <summary>What one ctr invocation did.</summary>
public sealed record CliResult(int Exit, string Out, string Err)
{
    public override string ToString() => $"exit {Exit}\n--- stdout\n{Out}\n--- stderr\n{Err}";
}

/// <summary>Runs ctr in-process with captured stdout/stderr and an environment of its own (never the process's).</summary>
public static class Ctr
{
    /// <summary>Against <paramref name="node"/>, its address and token coming from CTR_HOST / CTR_TOKEN.</summary>
    public static Task<CliResult> Run(FakeNode node, params string[] args) =>
        Run(new Dictionary<string, string> { ["CTR_HOST"] = node.Url, ["CTR_TOKEN"] = FakeNode.Token }, args);

    public static async Task<CliResult> Run(IReadOnlyDictionary<string, string> env, string[] args,
        bool interactive = false, string? workingDirectory = null, CancellationToken ct = default, TextWriter? output = null, int width = 200)
    {
        var stdout = output ?? new StringWriter();
        var stderr = new StringWriter();
        var context = new CliContext
        {
            Out = stdout,
            Error = stderr,
            Console = CliContext.CreateConsole(stdout, interactive, width),
            Environment = name => env.TryGetValue(name, out var value) ? value : null,
            WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
        };
        var exit = await CtrApp.RunAsync(args, context, ct);
        return new CliResult(exit, stdout.ToString()!, stderr.ToString());
    }
}

/// <summary>A TextWriter that several threads can write to and a test can read while a command runs.</summary>
public sealed class SharedWriter : TextWriter
{
    private readonly StringBuilder _text = new();
    private readonly Lock _lock = new();
    public override Encoding Encoding => Encoding.UTF8;
    public override void Write(char value) { lock (_lock) _text.Append(value); }
    public override void Write(string? value) { lock (_lock) _text.Append(value); }
    public override string ToString() { lock (_lock) return _text.ToString(); }
}

using Spectre.Console;

namespace ClusterTrainer.Cli;

/// <summary>
/// Everything a command touches outside itself: where it writes, the environment it reads and how it reaches
/// the node. <see cref="ForProcess"/> is the real one; tests build one over StringWriters and an in-test server.
/// </summary>
public sealed class CliContext
{
    public required TextWriter Out { get; init; }
    public required TextWriter Error { get; init; }
    /// <summary>Tables, grids and the live progress of <c>run watch</c>; renders into <see cref="Out"/>.</summary>
    public required IAnsiConsole Console { get; init; }
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;
    /// <summary>Null: a fresh <see cref="SocketsHttpHandler"/>.</summary>
    public HttpMessageHandler? Handler { get; init; }
    /// <summary>Directory that relative file paths (spec, export target) are resolved against.</summary>
    public string WorkingDirectory { get; init; } = Directory.GetCurrentDirectory();
    /// <summary>True for the real process: Ctrl+C and SIGTERM cancel the running command (exit 130).</summary>
    public bool HandleTermination { get; init; }

    /// <summary>
    /// The real process. On a terminal Spectre draws colour and live bars at the terminal's width; into a pipe or file
    /// it writes plain text, wide enough that tables are not squeezed to a guessed 80 columns.
    /// </summary>
    public static CliContext ForProcess() => new()
    {
        Out = System.Console.Out,
        Error = System.Console.Error,
        Console = System.Console.IsOutputRedirected ? CreateConsole(System.Console.Out, interactive: false, width: RedirectedWidth) : AnsiConsole.Console,
        HandleTermination = true,
    };

    /// <summary>The width tables are laid out for when stdout is not a terminal.</summary>
    public const int RedirectedWidth = 250;

    /// <summary>A context that writes plain text (no colour, no live rendering) into the given writers.</summary>
    public static CliContext ForWriters(TextWriter output, TextWriter error, bool interactive = false, int width = 160) => new()
    {
        Out = output,
        Error = error,
        Console = CreateConsole(output, interactive, width),
    };

    public static IAnsiConsole CreateConsole(TextWriter output, bool interactive, int width)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = interactive ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = width;
        console.Profile.Capabilities.Interactive = interactive;
        return console;
    }

    public string ResolvePath(string path) => Path.GetFullPath(path, WorkingDirectory);
}

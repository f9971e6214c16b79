using System.CommandLine;
using System.Text.Json;
using ClusterTrainer.Cli.Http;
using ClusterTrainer.Training.Control;

namespace ClusterTrainer.Cli.Commands;

/// <summary>One command being run: its parsed arguments, the context and (made on first use) the control client.</summary>
internal sealed class Invocation(ParseResult parse, CliContext context, Globals globals) : IDisposable
{
    private static readonly JsonSerializerOptions Indented = new(ControlJson.Options) { WriteIndented = true };
    private ControlClient? _client;

    public CliContext Context => context;
    public OutputFormat Format => parse.GetValue(globals.Output);
    public ControlClient Client => _client ??= new ControlClient(globals.Endpoint(parse, context), context.Handler);

    public T Get<T>(Argument<T> argument) => parse.GetValue(argument)!;
    public T? Get<T>(Option<T> option) => parse.GetValue(option);

    public void WriteJson<T>(T value) => context.Out.WriteLine(JsonSerializer.Serialize(value, Indented));

    /// <summary>A one-line confirmation on stdout (tables and JSON go there too).</summary>
    public void Say(string line) => context.Out.WriteLine(line);

    public void Dispose() => _client?.Dispose();

    /// <summary>
    /// Gives <paramref name="command"/> an action that runs <paramref name="body"/> and turns every
    /// <see cref="CtrException"/> into its exit code and one message (plus details) on stderr.
    /// </summary>
    public static void Bind(Command command, CliContext context, Globals globals, Func<Invocation, CancellationToken, Task<int>> body)
    {
        command.SetAction(async (parse, ct) =>
        {
            using var invocation = new Invocation(parse, context, globals);
            try
            {
                return await body(invocation, ct);
            }
            catch (CtrException e)
            {
                WriteError(context.Error, e.Message, e.Details);
                return e.ExitCode;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                context.Error.WriteLine("ctr: interrupted");
                return ExitCodes.Interrupted;
            }
            catch (Exception e)
            {
                // A bug in ctr, not a refusal: still one line, with enough to report it.
                WriteError(context.Error, $"unexpected {e.GetType().Name}: {e.Message} (a bug in ctr; please report it with the command line)", []);
                return ExitCodes.Failed;
            }
        });
    }

    public static void WriteError(TextWriter error, string message, IReadOnlyList<string> details)
    {
        error.WriteLine($"ctr: {message}");
        foreach (var detail in details)
            error.WriteLine($"  - {detail}");
    }

    public static string Escape(string segment) => Uri.EscapeDataString(segment);
}

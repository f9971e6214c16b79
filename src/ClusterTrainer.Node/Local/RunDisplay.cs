using System.Globalization;
using ClusterTrainer.Training.Control;
using Spectre.Console;

namespace ClusterTrainer.Node.Local;

/// <summary>Shows a run as its events arrive.</summary>
public interface IRunDisplay
{
    void Started(RunInfo run);
    void OnEvent(RunEvent e);
    /// <summary>Something the launcher noticed (a node exited, the event stream moved to another node).</summary>
    void Note(string message);
}

/// <summary>
/// The launcher's display: a live Spectre.Console progress bar over the run's steps (epoch, loss, samples/s,
/// validation accuracy) on an interactive terminal; plain lines otherwise (about ten step lines per epoch).
/// </summary>
public static class RunDisplay
{
    public static async Task<T> RunAsync<T>(Func<IRunDisplay, Task<T>> body)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
            return await body(new PlainDisplay(Console.Out));
        T result = default!;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                     new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx => result = await body(new LiveDisplay(ctx)));
        return result;
    }

    internal static string F(double? v, string format) => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "-";

    /// <summary>The one-line text of an event other than Step; null for events not worth a line.</summary>
    internal static string? Describe(RunEvent e) => e.Type switch
    {
        "RunStarted" => $"run {e.RunId} started{Suffix(e.Message)}",
        "EpochEnded" => $"epoch {e.Epoch + 1} done: loss={F(e.Loss, "0.0000")} val_accuracy={F(e.ValidationAccuracy, "0.0000")} " +
                        $"{F(e.SamplesPerSecond, "0")} samples/s",
        "Checkpoint" => $"checkpoint at step {e.Step}{Suffix(e.Message)}",
        "StatusChanged" => $"run {e.Status}{Suffix(e.Message)}",
        "WorkerJoined" or "WorkerLeft" or "Recovery" => $"{e.Type}{Suffix(e.Message)}",
        "RunEnded" => $"run ended: {e.Status} val_accuracy={F(e.ValidationAccuracy, "0.0000")} test_accuracy={F(e.TestAccuracy, "0.0000")}{Suffix(e.Message)}",
        _ => null,
    };

    internal static string StepText(RunEvent e, int epochs, double? valAccuracy) =>
        $"epoch {e.Epoch + 1}/{epochs} step {e.Step}/{(e.TotalSteps is { } t ? t.ToString(CultureInfo.InvariantCulture) : "?")} " +
        $"loss {F(e.Loss, "0.0000")} {F(e.SamplesPerSecond, "0")} samples/s val_accuracy {F(valAccuracy, "0.0000")}";

    private static string Suffix(string? message) => string.IsNullOrEmpty(message) ? "" : ": " + message;

    private sealed class PlainDisplay(TextWriter output) : IRunDisplay
    {
        private int _epochs = 1;
        private long _every = 1, _printed;
        private double? _valAccuracy;

        public void Started(RunInfo run)
        {
            _epochs = Math.Max(1, run.Epochs);
            output.WriteLine($"run {run.Id} ({run.Name}): {run.Epochs} epochs");
        }

        public void OnEvent(RunEvent e)
        {
            if (e.TotalSteps is { } total and > 0) _every = Math.Max(1, total / (_epochs * 10L));
            if (e.Type == "Step")
            {
                // About ten lines per epoch: a line when the step crosses the next multiple of _every.
                if (e.Step is { } s && (s / _every > _printed / _every || s == e.TotalSteps))
                {
                    _printed = s;
                    output.WriteLine(StepText(e, _epochs, _valAccuracy));
                }
                return;
            }
            if (e.Type == "EpochEnded") _valAccuracy = e.ValidationAccuracy ?? _valAccuracy;
            if (e.Type == "Recovery" && e.Step is { } from) _printed = from; // a rollback replays steps: count from there
            if (Describe(e) is { } line) output.WriteLine(line);
        }

        public void Note(string message) => output.WriteLine(message);
    }

    private sealed class LiveDisplay(ProgressContext ctx) : IRunDisplay
    {
        private ProgressTask? _bar;
        private int _epochs = 1;
        private double? _valAccuracy;

        public void Started(RunInfo run)
        {
            _epochs = Math.Max(1, run.Epochs);
            _bar = ctx.AddTask(Markup.Escape($"run {run.Id}: waiting for the workers"), maxValue: Math.Max(1, run.TotalSteps));
            if (run.TotalSteps <= 0) _bar.IsIndeterminate = true;
        }

        public void OnEvent(RunEvent e)
        {
            if (e.Type == "Step" && _bar is not null)
            {
                if (e.TotalSteps is { } total and > 0) { _bar.MaxValue = total; _bar.IsIndeterminate = false; }
                if (e.Step is { } s) _bar.Value = s;
                // Short: the bar, percentage and times share one terminal line with it.
                _bar.Description = Markup.Escape($"epoch {e.Epoch + 1}/{_epochs} loss {F(e.Loss, "0.0000")} " +
                                                 $"{F(e.SamplesPerSecond, "0")}/s val {F(_valAccuracy, "0.000")}");
                return;
            }
            if (e.Type == "EpochEnded") _valAccuracy = e.ValidationAccuracy ?? _valAccuracy;
            if (e.Type == "RunEnded" && _bar is not null)
            {
                if (e.Status == RunStatus.Completed) _bar.Value = _bar.MaxValue;
                _bar.Description = Markup.Escape($"run {e.Status}: val {F(e.ValidationAccuracy, "0.000")} test {F(e.TestAccuracy, "0.000")}");
                _bar.StopTask();
            }
            if (Describe(e) is { } line) AnsiConsole.MarkupLine(Markup.Escape(line));
        }

        public void Note(string message) => AnsiConsole.MarkupLine("[yellow]" + Markup.Escape(message) + "[/]");
    }
}

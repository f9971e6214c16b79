using Spectre.Console;
using Spectre.Console.Rendering;

namespace ClusterTrainer.Cli.Watch;

/// <summary>Where <c>run watch</c> shows progress: a live Spectre bar on a terminal, plain lines otherwise.</summary>
internal interface IWatchView
{
    void Update(WatchState state);
    void Note(string line);
}

/// <summary>
/// A live progress bar (epoch/step, loss, samples/s, val accuracy); notes scroll above it. The bar comes first and
/// is short, so on a narrow terminal it is the numbers that wrap, never the bar.
/// </summary>
internal sealed class LiveView(IAnsiConsole console, ProgressContext context, ProgressTask task) : IWatchView
{
    public static async Task<WatchState> RunAsync(IAnsiConsole console, WatchState initial, Func<IWatchView, Task<WatchState>> follow)
    {
        return await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new ProgressBarColumn { Width = 24 }, new PercentageColumn(), new ElapsedTimeColumn(), new NumbersColumn())
            .StartAsync(async context =>
            {
                console.MarkupLine(Markup.Escape($"watching run {initial.RunId} ({initial.Name}); Ctrl+C stops watching, not the run"));
                var task = context.AddTask(Markup.Escape(initial.RunId), maxValue: Math.Max(1, initial.TotalSteps));
                var view = new LiveView(console, context, task);
                view.Update(initial);
                var final = await follow(view);
                view.Update(final);
                task.StopTask();
                return final;
            });
    }

    public void Update(WatchState state)
    {
        task.MaxValue = Math.Max(1, state.TotalSteps);
        task.Value = Math.Min(state.Step, task.MaxValue);
        task.Description = Markup.Escape(state.Status == Training.Control.RunStatus.Running ? state.Progress() : $"{state.Status} {state.Progress()}");
        context.Refresh();
    }

    public void Note(string line) => console.MarkupLine(Markup.Escape(line));
}

/// <summary>The task's description, allowed to wrap (Spectre's own description column never wraps and squeezes the bar away).</summary>
internal sealed class NumbersColumn : ProgressColumn
{
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) => new Markup(task.Description);
}

/// <summary>Plain lines for logs and pipes: every note, and the progress each time another tenth of the steps is done.</summary>
internal sealed class LineView(TextWriter output) : IWatchView
{
    private long _lastTenth = -1;

    public void Update(WatchState state)
    {
        if (state.TotalSteps <= 0)
            return;
        var tenth = Math.Clamp(state.Step * 10 / state.TotalSteps, 0, 10);
        if (tenth <= _lastTenth)
            return;
        _lastTenth = tenth;
        output.WriteLine($"{state.RunId} {state.Status} {state.Progress()} ({tenth * 10}%)");
    }

    public void Note(string line) => output.WriteLine(line);
}

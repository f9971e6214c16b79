using System.Globalization;
using ClusterTrainer.Training.Local;
using Spectre.Console;

namespace ClusterTrainer.Node.Local;

/// <summary>
/// Shows a <see cref="ITrainingObserver"/>'s events: a live Spectre.Console progress bar per epoch
/// (epoch, step, loss, samples/s) on an interactive terminal, plain log lines when output is redirected.
/// </summary>
public static class ConsoleProgress
{
    /// <summary>Runs <paramref name="train"/> while rendering its events.</summary>
    public static T Run<T>(Func<ITrainingObserver, T> train)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
            return train(new PlainObserver());
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(),
                     new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx => result = train(new LiveObserver(ctx)));
        return result;
    }

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    private static string Describe(StepCompleted s, int epochs) =>
        $"epoch {s.Epoch + 1}/{epochs} step {s.Step}/{s.Steps} loss {F(s.Loss, "0.0000")} {F(s.SamplesPerSecond, "0")} samples/s";

    private static string Summary(EpochCompleted e) =>
        $"epoch {e.Epoch + 1} done: train_loss={F(e.TrainLoss, "0.0000")} val_accuracy={F(e.ValidationAccuracy, "0.0000")}" +
        $"{(e.Improved ? " (best)" : "")} in {F(e.Duration.TotalSeconds, "0.0")} s";

    private sealed class LiveObserver(ProgressContext ctx) : ITrainingObserver
    {
        private ProgressTask? _task;
        private int _epochs;

        public void OnEvent(TrainingEvent e)
        {
            switch (e)
            {
                case EpochStarted s:
                    _epochs = s.Epochs;
                    _task = ctx.AddTask(Markup.Escape($"epoch {s.Epoch + 1}/{s.Epochs}"), maxValue: s.Steps);
                    break;
                case StepCompleted s when _task is not null:
                    _task.Value = s.Step;
                    _task.Description = Markup.Escape(Describe(s, _epochs));
                    break;
                case EpochCompleted c when _task is not null:
                    _task.Description = Markup.Escape(Summary(c));
                    _task.StopTask();
                    break;
                case StoppedEarly s:
                    ctx.AddTask(Markup.Escape($"early stop after epoch {s.Epoch + 1}: best val_accuracy={F(s.BestValidationAccuracy, "0.0000")} at epoch {s.BestEpoch + 1}"), maxValue: 1).Increment(1);
                    break;
            }
        }
    }

    private sealed class PlainObserver : ITrainingObserver
    {
        private int _epochs, _every = 1;

        public void OnEvent(TrainingEvent e)
        {
            switch (e)
            {
                case EpochStarted s:
                    _epochs = s.Epochs;
                    _every = Math.Max(1, s.Steps / 10);
                    break;
                case StepCompleted s when s.Step % _every == 0 || s.Step == s.Steps:
                    Console.WriteLine(Describe(s, _epochs));
                    break;
                case EpochCompleted c:
                    Console.WriteLine(Summary(c));
                    break;
                case StoppedEarly s:
                    Console.WriteLine($"early stop after epoch {s.Epoch + 1}: best val_accuracy={F(s.BestValidationAccuracy, "0.0000")} at epoch {s.BestEpoch + 1}");
                    break;
            }
        }
    }
}

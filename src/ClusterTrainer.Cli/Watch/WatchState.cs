using System.Globalization;
using ClusterTrainer.Training.Control;

namespace ClusterTrainer.Cli.Watch;

/// <summary>
/// What <c>run watch</c> knows about one run: the run's state from GET api/runs/{id}, moved on by each event.
/// Events carry absolute values (step, epoch, status), so one seen twice changes nothing.
/// <see cref="Epoch"/> is the epoch being trained, counted from 1. The node counts differently in two places:
/// <see cref="RunInfo.Epoch"/> is the number of finished epochs, <see cref="RunEvent.Epoch"/> the 0-based epoch index.
/// </summary>
internal sealed record WatchState(
    string RunId,
    string Name,
    RunStatus Status,
    int Epoch,
    int Epochs,
    long Step,
    long TotalSteps,
    double? Loss,
    double? SamplesPerSecond,
    double? ValidationAccuracy,
    double? TestAccuracy,
    string? Reason,
    bool EndSeen)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static WatchState From(RunInfo run) => new(run.Id, run.Name, run.Status,
        run.Status == RunStatus.Completed ? run.Epoch : Math.Min(run.Epoch + 1, run.Epochs), run.Epochs, run.Step, run.TotalSteps,
        run.LastLoss, null, run.ValidationAccuracy, run.TestAccuracy, run.Reason, EndSeen: false);

    public static bool IsTerminal(RunStatus status) => status is RunStatus.Completed or RunStatus.Failed or RunStatus.Stopped;

    /// <summary>The run is over: its status says so, or the node sent RunEnded.</summary>
    public bool Ended => IsTerminal(Status) || EndSeen;

    public WatchState Apply(RunEvent e) => this with
    {
        Status = e.Status ?? (e.Type == "RunStarted" && Status == RunStatus.Pending ? RunStatus.Running : Status),
        Epoch = e.Epoch is { } index ? index + 1 : Epoch,
        Step = e.Step ?? Step,
        TotalSteps = e.TotalSteps ?? TotalSteps,
        Loss = e.Loss ?? Loss,
        SamplesPerSecond = e.SamplesPerSecond ?? SamplesPerSecond,
        ValidationAccuracy = e.ValidationAccuracy ?? ValidationAccuracy,
        TestAccuracy = e.TestAccuracy ?? TestAccuracy,
        Reason = e.Type is "StatusChanged" or "RunEnded" && e.Message is not null ? e.Message : Reason,
        EndSeen = EndSeen || e.Type == "RunEnded",
    };

    /// <summary>"epoch 2/5 step 300/1000 loss 0.4123 812 samples/s val acc 0.8712": the parts known so far.</summary>
    public string Progress()
    {
        var parts = new List<string> { $"epoch {Epoch}/{Epochs}", $"step {Step}/{TotalSteps}" };
        if (Loss is { } loss)
            parts.Add($"loss {loss.ToString("F4", Inv)}");
        if (SamplesPerSecond is { } sps)
            parts.Add($"{sps.ToString("F0", Inv)} samples/s");
        if (ValidationAccuracy is { } acc)
            parts.Add($"val acc {acc.ToString("F4", Inv)}");
        return string.Join(" ", parts);
    }

    public string Summary()
    {
        var text = $"run {RunId} {Status} at epoch {Epoch}/{Epochs}, step {Step}/{TotalSteps}";
        if (TestAccuracy is { } test)
            text += $", test accuracy {test.ToString("F4", Inv)}";
        else if (ValidationAccuracy is { } val)
            text += $", val accuracy {val.ToString("F4", Inv)}";
        return Reason is null ? text : $"{text} ({Reason})";
    }

    /// <summary>The line an event adds to the log above the progress bar; null for events the bar already shows.</summary>
    public static string? Note(RunEvent e, WatchState after) => e.Type switch
    {
        "RunStarted" => $"run {after.RunId} started: {after.Epochs} epochs, {after.TotalSteps} steps",
        "EpochEnded" => $"epoch {after.Epoch}/{after.Epochs} ended:" + Optional(" loss", e.Loss, "F4") + Optional(" val acc", e.ValidationAccuracy, "F4")
                        + Optional("", e.SamplesPerSecond, "F0") + (e.SamplesPerSecond is null ? "" : " samples/s") + (e.Message is null ? "" : $" ({e.Message})"),
        "Checkpoint" => e.Message is null or "committed"
            ? $"checkpoint committed at step {e.Step ?? after.Step}"
            : $"checkpoint at step {e.Step ?? after.Step}: {e.Message}",
        "StatusChanged" => $"status {after.Status}" + (e.Message is null ? "" : $": {e.Message}"),
        "WorkerJoined" => "worker joined" + (e.Message is null ? "" : $": {e.Message}"),
        "WorkerLeft" => "worker left" + (e.Message is null ? "" : $": {e.Message}"),
        "Recovery" => "recovery" + (e.Step is null ? "" : $" from step {e.Step}") + (e.Message is null ? "" : $": {e.Message}"),
        _ => null,
    };

    private static string Optional(string label, double? value, string format) =>
        value is { } v ? $"{label} {v.ToString(format, Inv)}" : "";
}

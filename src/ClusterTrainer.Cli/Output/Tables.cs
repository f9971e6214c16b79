using System.Globalization;
using ClusterTrainer.Training.Control;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ClusterTrainer.Cli.Output;

/// <summary>The Spectre tables for every list the control API returns; cells are plain text, never markup.</summary>
internal static class Tables
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Table Runs(IEnumerable<RunInfo> runs)
    {
        var table = New("ID", "NAME", "STATUS", "EPOCHS DONE", "STEP", "WORKERS", "LOSS", "VAL ACC", "TEST ACC", "UPDATED");
        foreach (var r in runs)
            table.AddRow(T(r.Id), T(r.Name), Status(r.Status), T($"{r.Epoch}/{r.Epochs}"), T($"{r.Step}/{r.TotalSteps}"),
                T(r.Workers.ToString(Inv)), T(Loss(r.LastLoss)), T(Accuracy(r.ValidationAccuracy)), T(Accuracy(r.TestAccuracy)), T(Time(r.UpdatedAt)));
        return table;
    }

    public static Table Members(IEnumerable<MemberInfo> members)
    {
        var table = New("ADDRESS", "STATUS", "ROLES", "REACHABLE", "LEADER", "SELF");
        foreach (var m in members)
            table.AddRow(T(m.Address), T(m.Status), T(string.Join(",", m.Roles)),
                m.Reachable ? T("yes") : new Markup("[red]no[/]"), T(m.IsLeader ? "*" : ""), T(m.IsSelf ? "*" : ""));
        return table;
    }

    public static Table Checkpoints(IEnumerable<CheckpointInfo> checkpoints)
    {
        var table = New("RUN", "STEP", "EPOCH", "PARTS", "SIZE", "CREATED");
        foreach (var c in checkpoints)
            table.AddRow(T(c.RunId), T(c.Step.ToString(Inv)), T(c.Epoch.ToString(Inv)), T(c.Parts.ToString(Inv)), T(Bytes(c.Bytes)), T(Time(c.CreatedAt)));
        return table;
    }

    public static Table Shards(IEnumerable<ShardInfo> shards)
    {
        var table = New("RUN", "SHARD", "NODE", "OFFSET", "LENGTH", "VERSION", "APPLIED", "DUP DROPPED", "STALE DROPPED", "IN", "OUT");
        foreach (var s in shards)
            table.AddRow(T(s.RunId), T(s.Shard.ToString(Inv)), T(s.Node), T(s.Offset.ToString(Inv)), T(s.Length.ToString(Inv)),
                T(s.Version.ToString(Inv)), T(s.Applied.ToString(Inv)), T(s.DuplicatesDropped.ToString(Inv)), T(s.StaleDropped.ToString(Inv)),
                T(Bytes(s.BytesIn)), T(Bytes(s.BytesOut)));
        return table;
    }

    public static Table Epochs(IEnumerable<EpochMetrics> epochs)
    {
        var table = New("EPOCH", "TRAIN LOSS", "VAL LOSS", "VAL ACC", "LR", "SAMPLES/S");
        // EpochMetrics.Epoch is the 0-based index the coordinator trains by; people count epochs from 1.
        foreach (var e in epochs)
            table.AddRow(T((e.Epoch + 1).ToString(Inv)), T(Loss(e.TrainLoss)), T(Loss(e.ValidationLoss)), T(Accuracy(e.ValidationAccuracy)),
                T(e.LearningRate.ToString("G4", Inv)), T(e.SamplesPerSecond.ToString("F0", Inv)));
        return table;
    }

    /// <summary>Key/value lines for one run (run status).</summary>
    public static Grid Run(RunDetail detail)
    {
        var r = detail.Run;
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        void Row(string key, IRenderable value) => grid.AddRow(new Text(key, new Style(decoration: Decoration.Bold)), value);
        Row("run", T($"{r.Id} ({r.Name})"));
        Row("status", Status(r.Status, r.Reason));
        Row("epochs done", T($"{r.Epoch}/{r.Epochs}"));
        Row("step", T($"{r.Step}/{r.TotalSteps}"));
        Row("workers", T(detail.WorkerNodes.Count == 0 ? r.Workers.ToString(Inv) : $"{r.Workers}: {string.Join(", ", detail.WorkerNodes)}"));
        Row("last loss", T(Loss(r.LastLoss)));
        Row("val accuracy", T(Accuracy(r.ValidationAccuracy)));
        Row("test accuracy", T(Accuracy(r.TestAccuracy)));
        Row("last checkpoint", T(detail.LastCheckpointStep is { } step ? $"step {step}" : "none"));
        Row("created", T(Time(r.CreatedAt)));
        Row("updated", T(Time(r.UpdatedAt)));
        return grid;
    }

    public static IRenderable Status(RunStatus status, string? reason = null)
    {
        var colour = status switch
        {
            RunStatus.Running => "green",
            RunStatus.Completed => "blue",
            RunStatus.Paused or RunStatus.Pending => "yellow",
            _ => "red",
        };
        return new Markup($"[{colour}]{status}[/]" + (reason is null ? "" : $" ({Markup.Escape(reason)})"));
    }

    public static string Loss(double? loss) => loss is { } l ? l.ToString("F4", Inv) : "-";
    public static string Accuracy(double? accuracy) => accuracy is { } a ? a.ToString("F4", Inv) : "-";
    public static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", Inv);

    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("F1", Inv) + " KiB",
        < 1024L * 1024 * 1024 => (bytes / (1024.0 * 1024)).ToString("F1", Inv) + " MiB",
        _ => (bytes / (1024.0 * 1024 * 1024)).ToString("F2", Inv) + " GiB",
    };

    private static Table New(params string[] headers)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var h in headers)
            table.AddColumn(new TableColumn(new Text(h, new Style(decoration: Decoration.Bold))).NoWrap());
        return table;
    }

    private static Text T(string text) => new(text);
}

using System.Globalization;
using ClusterTrainer.Training.Control;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ClusterTrainer.Cli.Output;

/// <summary>The tables for every list the control API returns; cells are plain text, never markup.</summary>
internal static class Tables
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static Sheet.Column C(string header, int keep = Sheet.Always) => new(header, keep);

    public static Table Runs(IEnumerable<RunInfo> runs, int width)
    {
        var sheet = new Sheet(C("ID"), C("NAME", 1), C("STATUS"), C("EPOCHS", 4), C("STEP"), C("LOSS", 5), C("VAL ACC", 6), C("TEST ACC", 3), C("UPDATED", 2));
        foreach (var r in runs)
            sheet.Add(r.Id, r.Name, r.Status.ToString(), $"{r.Epoch}/{r.Epochs}", $"{r.Step}/{r.TotalSteps}",
                Loss(r.LastLoss), Accuracy(r.ValidationAccuracy), Accuracy(r.TestAccuracy), Time(r.UpdatedAt));
        return sheet.Render(width);
    }

    public static Table Members(IEnumerable<MemberInfo> members, int width)
    {
        var sheet = new Sheet(C("ADDRESS"), C("STATUS"), C("ROLES", 3), C("REACHABLE"), C("LEADER", 2), C("SELF", 1));
        foreach (var m in members)
            sheet.Add(m.Address, m.Status, string.Join(",", m.Roles), m.Reachable ? "yes" : "no", m.IsLeader ? "*" : "", m.IsSelf ? "*" : "");
        return sheet.Render(width);
    }

    public static Table Checkpoints(IEnumerable<CheckpointInfo> checkpoints, int width)
    {
        var sheet = new Sheet(C("RUN", 1), C("STEP"), C("EPOCH", 3), C("PARTS", 2), C("SIZE"), C("CREATED", 4));
        foreach (var c in checkpoints)
            sheet.Add(c.RunId, c.Step.ToString(Inv), c.Epoch.ToString(Inv), c.Parts.ToString(Inv), Bytes(c.Bytes), Time(c.CreatedAt));
        return sheet.Render(width);
    }

    public static Table Shards(IEnumerable<ShardInfo> shards, int width)
    {
        var sheet = new Sheet(C("RUN", 3), C("SHARD"), C("NODE"), C("OFFSET", 1), C("LENGTH", 2), C("VERSION"), C("APPLIED"),
            C("DUPS", 5), C("STALE", 6), C("IN", 4), C("OUT", 4));
        foreach (var s in shards)
            sheet.Add(s.RunId, s.Shard.ToString(Inv), s.Node, s.Offset.ToString(Inv), s.Length.ToString(Inv), s.Version.ToString(Inv),
                s.Applied.ToString(Inv), s.DuplicatesDropped.ToString(Inv), s.StaleDropped.ToString(Inv), Bytes(s.BytesIn), Bytes(s.BytesOut));
        return sheet.Render(width);
    }

    public static Table Epochs(IEnumerable<EpochMetrics> epochs, int width)
    {
        var sheet = new Sheet(C("EPOCH"), C("TRAIN LOSS"), C("VAL LOSS", 2), C("VAL ACC"), C("LR", 1), C("SAMPLES/S", 3));
        // EpochMetrics.Epoch is the 0-based index the coordinator trains by; people count epochs from 1.
        foreach (var e in epochs)
            sheet.Add((e.Epoch + 1).ToString(Inv), Loss(e.TrainLoss), Loss(e.ValidationLoss), Accuracy(e.ValidationAccuracy),
                e.LearningRate.ToString("G4", Inv), e.SamplesPerSecond.ToString("F0", Inv));
        return sheet.Render(width);
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
        if (detail.Generations is { Count: > 0 } gens) Row("generations", T(Generations(gens)));
        Row("created", T(Time(r.CreatedAt)));
        Row("updated", T(Time(r.UpdatedAt)));
        return grid;
    }

    /// <summary>"4 (from steps 0, 50, 100, 80 rolled back)": a generation starting behind the one before is a rollback.</summary>
    public static string Generations(IReadOnlyList<GenerationInfo> gens)
    {
        var froms = gens.Select((g, i) => i > 0 && g.FromStep < gens[i - 1].FromStep ? $"{g.FromStep} rolled back" : g.FromStep.ToString(Inv));
        var shown = gens.Count <= 8 ? froms : froms.Take(3).Append("...").Concat(froms.TakeLast(4));
        return $"{gens.Count} (from steps {string.Join(", ", shown)})";
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

    private static Text T(string text) => new(text);
}

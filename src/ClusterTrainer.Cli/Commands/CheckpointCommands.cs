using System.CommandLine;
using ClusterTrainer.Cli.Output;
using ClusterTrainer.Training.Control;

namespace ClusterTrainer.Cli.Commands;

/// <summary><c>ctr checkpoint list|restore|export</c>: the committed checkpoints of a run.</summary>
internal static class CheckpointCommands
{
    public static Command Create(CliContext context, Globals globals)
    {
        var checkpoint = new Command("checkpoint", "List, restore and export the committed checkpoints of a run");

        var listRun = RunCommands.Id("RUN");
        var list = new Command("list", "List the committed checkpoints of a run, oldest first") { listRun };
        Invocation.Bind(list, context, globals, async (inv, ct) =>
        {
            var run = inv.Get(listRun);
            var checkpoints = await inv.Client.GetAsync<CheckpointInfo[]>($"{RunCommands.RunPath(run)}/checkpoints", ct);
            if (inv.Format == OutputFormat.Json)
                inv.WriteJson(checkpoints);
            else if (checkpoints.Length == 0)
                inv.Say($"run {run} has no committed checkpoint yet");
            else
                inv.Context.Console.Write(Tables.Checkpoints(checkpoints, inv.Context.Console.Profile.Width));
            return ExitCodes.Ok;
        });

        var restoreRun = RunCommands.Id("RUN");
        var restoreStep = Step();
        var restore = new Command("restore", "Roll a run back to checkpoint STEP and continue from there") { restoreRun, restoreStep };
        Invocation.Bind(restore, context, globals, async (inv, ct) =>
        {
            var info = await inv.Client.PostAsync<RunInfo>(StepPath(inv.Get(restoreRun), inv.Get(restoreStep)) + "/restore", null, ct);
            if (inv.Format == OutputFormat.Json)
                inv.WriteJson(info);
            else
                inv.Say($"run {info.Id} restored to step {inv.Get(restoreStep)}: {info.Status} at step {info.Step}/{info.TotalSteps} ({info.Epoch}/{info.Epochs} epochs done)");
            return ExitCodes.Ok;
        });

        var exportRun = RunCommands.Id("RUN");
        var exportStep = Step();
        var file = new Option<string>("--out-file", "-o")
        {
            Description = "Where to write the state_dict (.pt, loadable with torch.load)",
            HelpName = "FILE",
            Required = true,
        };
        var force = new Option<bool>("--force") { Description = "Overwrite FILE if it exists" };
        var export = new Command("export", "Write checkpoint STEP as a PyTorch state_dict file") { exportRun, exportStep, file, force };
        Invocation.Bind(export, context, globals, async (inv, ct) =>
        {
            var target = inv.Context.ResolvePath(inv.Get(file)!);
            if (Directory.Exists(target))
                throw new CtrException(ExitCodes.Usage, $"-o '{inv.Get(file)}' is a directory; name the file to write, e.g. -o model.pt");
            if (File.Exists(target) && !inv.Get(force))
                throw new CtrException(ExitCodes.Usage, $"'{inv.Get(file)}' exists; pass --force to overwrite it or choose another -o");
            var directory = Path.GetDirectoryName(target)!;
            if (!Directory.Exists(directory))
                throw new CtrException(ExitCodes.Usage, $"directory '{directory}' does not exist; create it first or choose another -o");
            var bytes = await Download(inv, StepPath(inv.Get(exportRun), inv.Get(exportStep)) + "/export", target, ct);
            inv.Say($"wrote checkpoint {inv.Get(exportStep)} of run {inv.Get(exportRun)} to {inv.Get(file)} ({Tables.Bytes(bytes)})");
            return ExitCodes.Ok;
        });

        checkpoint.Subcommands.Add(list);
        checkpoint.Subcommands.Add(restore);
        checkpoint.Subcommands.Add(export);
        return checkpoint;
    }

    private static Argument<long> Step()
    {
        var step = new Argument<long>("STEP") { Description = "The step of the checkpoint, as checkpoint list shows it" };
        step.Validators.Add(Checks.AtLeast(0, "STEP must be zero or more: the step of a checkpoint as checkpoint list shows it"));
        return step;
    }

    private static string StepPath(string run, long step) => $"{RunCommands.RunPath(run)}/checkpoints/{step}";

    /// <summary>Downloads into a temp file beside <paramref name="target"/> and renames it, so a cut download leaves nothing half-written.</summary>
    private static async Task<long> Download(Invocation inv, string path, string target, CancellationToken ct)
    {
        var temp = target + $".{Environment.ProcessId}.part";
        try
        {
            long bytes;
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                bytes = await inv.Client.DownloadAsync(path, stream, ct);
                await stream.FlushAsync(ct);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, target, overwrite: true);
            return bytes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CtrException(ExitCodes.Failed, $"cannot write '{target}': {e.Message}");
        }
        finally
        {
            if (File.Exists(temp))
                File.Delete(temp);
        }
    }
}

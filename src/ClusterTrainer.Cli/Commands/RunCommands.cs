using System.CommandLine;
using ClusterTrainer.Cli.Output;
using ClusterTrainer.Cli.Watch;
using ClusterTrainer.Training.Control;

namespace ClusterTrainer.Cli.Commands;

/// <summary><c>ctr run start|status|watch|pause|resume|stop|list</c>.</summary>
internal static class RunCommands
{
    public static Command Create(CliContext context, Globals globals)
    {
        var run = new Command("run", "Start, follow and control training runs");

        var spec = new Argument<string>("SPEC") { Description = "The run spec (YAML), e.g. examples/fashion-mnist-cnn.yaml" };
        var watchAfterStart = new Option<bool>("--watch", "-w") { Description = "Follow the run after starting it, as run watch does" };
        var start = new Command("start", "Send a run spec to the coordinator and start the run") { spec, watchAfterStart };
        Invocation.Bind(start, context, globals, async (inv, ct) =>
        {
            var (text, source) = ReadSpec(inv, inv.Get(spec));
            var info = await inv.Client.PostAsync<RunInfo>("api/runs", new StartRunRequest(text, source), ct);
            if (inv.Format == OutputFormat.Json)
                inv.WriteJson(info);
            else
                inv.Say($"started run {info.Id} ({info.Name}): {info.Status}, {info.Epochs} epochs, {info.TotalSteps} steps");
            return inv.Get(watchAfterStart) ? await RunWatcher.WatchAsync(inv, info.Id, ct) : ExitCodes.Ok;
        });

        var statusId = Id();
        var status = new Command("status", "Show one run: state, progress, metrics of every finished epoch") { statusId };
        Invocation.Bind(status, context, globals, async (inv, ct) =>
        {
            var detail = await inv.Client.GetAsync<RunDetail>(RunPath(inv.Get(statusId)), ct);
            if (inv.Format == OutputFormat.Json)
            {
                inv.WriteJson(detail);
                return ExitCodes.Ok;
            }
            inv.Context.Console.Write(Tables.Run(detail));
            if (detail.Epochs.Count > 0)
                inv.Context.Console.Write(Tables.Epochs(detail.Epochs, inv.Context.Console.Profile.Width));
            return ExitCodes.Ok;
        });

        var watchId = Id();
        var watch = new Command("watch", "Follow a run live until it ends (exit 0: completed, 1: failed or stopped)") { watchId };
        Invocation.Bind(watch, context, globals, (inv, ct) => RunWatcher.WatchAsync(inv, inv.Get(watchId), ct));

        var list = new Command("list", "List every run the coordinator knows");
        Invocation.Bind(list, context, globals, async (inv, ct) =>
        {
            var runs = await inv.Client.GetAsync<RunInfo[]>("api/runs", ct);
            if (inv.Format == OutputFormat.Json)
                inv.WriteJson(runs);
            else if (runs.Length == 0)
                inv.Say("no runs yet; start one with: ctr run start SPEC.yaml");
            else
                inv.Context.Console.Write(Tables.Runs(runs, inv.Context.Console.Profile.Width));
            return ExitCodes.Ok;
        });

        run.Subcommands.Add(start);
        run.Subcommands.Add(status);
        run.Subcommands.Add(watch);
        run.Subcommands.Add(Transition(context, globals, "pause", RunStatus.Paused, "Pause a running run after its current step"));
        run.Subcommands.Add(Transition(context, globals, "resume", RunStatus.Running, "Resume a paused run"));
        run.Subcommands.Add(Transition(context, globals, "stop", RunStatus.Stopped,
            "Stop a run for good (it can be resumed from a checkpoint with checkpoint restore)"));
        run.Subcommands.Add(list);
        return run;
    }

    public static Argument<string> Id(string name = "ID") => new(name) { Description = "The run id, as run list shows it" };

    public static string RunPath(string id) => $"api/runs/{Invocation.Escape(id)}";

    /// <summary>
    /// pause, resume and stop: POST api/runs/{id}/{verb}. The node may answer before the run got there (it pauses
    /// after its current step), so the message says which of the two it is.
    /// </summary>
    private static Command Transition(CliContext context, Globals globals, string verb, RunStatus target, string description)
    {
        var id = Id();
        var command = new Command(verb, description) { id };
        Invocation.Bind(command, context, globals, async (inv, ct) =>
        {
            var info = await inv.Client.PostAsync<RunInfo>($"{RunPath(inv.Get(id))}/{verb}", null, ct);
            if (inv.Format == OutputFormat.Json)
                inv.WriteJson(info);
            else
                inv.Say(info.Status == target
                    ? $"run {info.Id} is {info.Status} at step {info.Step}/{info.TotalSteps} ({info.Epoch}/{info.Epochs} epochs done)"
                    : $"{verb} requested: run {info.Id} was {info.Status} at step {info.Step}/{info.TotalSteps} and becomes {target} shortly; follow it with: ctr run watch {info.Id}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static (string Text, string Source) ReadSpec(Invocation inv, string path)
    {
        var full = inv.Context.ResolvePath(path);
        if (Directory.Exists(full))
            throw new CtrException(ExitCodes.Usage, $"'{path}' is a directory; pass a run spec file, e.g. examples/fashion-mnist-cnn.yaml");
        if (!File.Exists(full))
            throw new CtrException(ExitCodes.Usage, $"spec file '{path}' does not exist (looked at {full}); pass the path of a run spec, e.g. examples/fashion-mnist-cnn.yaml");
        try
        {
            var text = File.ReadAllText(full);
            if (string.IsNullOrWhiteSpace(text))
                throw new CtrException(ExitCodes.Usage, $"spec file '{path}' is empty; see examples/fashion-mnist-cnn.yaml for what a run spec holds");
            return (text, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CtrException(ExitCodes.Usage, $"cannot read spec file '{path}': {e.Message}");
        }
    }
}

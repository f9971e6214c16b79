// ClusterTrainer node executable.
//   node [flags]      one node of the training cluster (settings: NodeCommandLineParser.Usage)
//   local [options]   the main job: a whole cluster of node processes on loopback trains a run spec (LauncherOptions.Usage)
//   single [options]  the seed CNN trained in this one process, no cluster (LocalOptions.Usage)
using ClusterTrainer.Node.Hosting;
using ClusterTrainer.Node.Local;

const string usage =
    "usage: ClusterTrainer.Node <command> [options]\n" +
    "  node [flags]      run one node of the training cluster (node --help lists the settings)\n" +
    "  local [options]   start a local cluster of node processes and train a run spec on it (local --help)\n" +
    "  single [options]  train the seed CNN on Fashion-MNIST in this process, without a cluster (single --help)";

string command = args.Length > 0 ? args[0] : "";
string[] rest = args.Length > 0 ? args[1..] : [];
switch (command)
{
    case "node":
        return await NodeCommand.RunAsync(rest);
    case "local":
        return await LocalCommand.RunAsync(rest);
    case "single":
        return SingleCommand.Run(rest);
    case "help" or "--help" or "-h":
        Console.WriteLine(usage);
        return 0;
    default:
        Console.Error.WriteLine(command.Length == 0 ? usage : $"error: unknown command '{command}'{ClusterTrainer.Node.Settings.Suggest.DidYouMean(command, ["node", "local", "single"])}\n{usage}");
        return 2;
}

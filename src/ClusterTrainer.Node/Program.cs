// ClusterTrainer node executable.
//   local [options]   train the seed CNN on Fashion-MNIST in this process (see LocalOptions.Usage);
//                     issue 4 turns this into a local cluster.
using System.Globalization;
using ClusterTrainer.Node.Local;
using ClusterTrainer.Training.Local;

if (args.Length == 0 || args[0] != "local")
{
    Console.Error.WriteLine("usage: ClusterTrainer.Node local [options]\n" + LocalOptions.Usage);
    return 2;
}

LocalOptions options;
try { options = LocalOptions.Parse(args[1..]); }
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

try
{
    var result = ConsoleProgress.Run(observer => new SingleProcessTrainer(options, observer).Run());
    Console.WriteLine($"best_epoch={result.BestEpoch + 1} val_accuracy={result.BestValidationAccuracy.ToString("0.0000", CultureInfo.InvariantCulture)}");
    Console.WriteLine($"test_accuracy={result.TestAccuracy.ToString("0.0000", CultureInfo.InvariantCulture)}");
    return 0;
}
catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or InvalidDataException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

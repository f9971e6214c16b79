using System.Globalization;
using ClusterTrainer.Training.Local;

namespace ClusterTrainer.Node.Local;

/// <summary>
/// <c>ClusterTrainer.Node single [options]</c>: trains the seed CNN on Fashion-MNIST in this one process (no cluster),
/// the baseline the distributed <c>local</c> job is compared with.
/// </summary>
public static class SingleCommand
{
    public static int Run(IReadOnlyList<string> args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.Out.WriteLine(LocalOptions.Usage.Replace("usage: local", "usage: ClusterTrainer.Node single"));
            return 0;
        }
        LocalOptions options;
        try { options = LocalOptions.Parse(args); }
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
    }
}

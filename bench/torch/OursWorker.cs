using System.Diagnostics;
using System.Globalization;
using ClusterTrainer.Torch;
using ClusterTrainer.Torch.Data;
using ClusterTrainer.Training.Models;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Bench.Torch;

/// <summary>Our half of the benchmark: the same loop as pytorch_cnn.py, in this library.</summary>
public static class OursWorker
{
    public static void Run(BenchOptions o)
    {
        set_num_threads(o.Threads); // explicit, like torch.set_num_threads in the Python worker
        manual_seed(1);
        var train = FashionMnist.Load(MnistSplit.Train, o.DataDir);
        var loader = new DataLoader(train, o.BatchSize, shuffle: true, seed: 1, dropLast: true);
        using var model = new SeedCnn();
        model.train();
        using var optimizer = optim.Adam(model.parameters(), lr: 1e-3);

        int epoch = 0, batch = 0;
        var plan = loader.Plan(epoch);
        float Step()
        {
            if (batch == plan.BatchCount) { plan = loader.Plan(++epoch); batch = 0; }
            using var scope = NewDisposeScope();
            var (x, y) = loader.LoadBatch(plan, batch++);
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.call(x), y);
            loss.backward();
            optimizer.step();
            return loss.item<float>();
        }

        for (int i = 0; i < o.Warmup; i++) Step();
        var clock = Stopwatch.StartNew();
        float last = 0;
        for (int i = 0; i < o.Steps; i++) last = Step();
        double elapsed = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"result samples_per_s={o.Steps * o.BatchSize / elapsed:0.00} peak_rss_kb={WorkerResult.ReadPeakRssKb()} final_loss={last:0.0000}"));
    }
}

using System.Diagnostics;
using ClusterTrainer.Torch;
using ClusterTrainer.Torch.Data;
using ClusterTrainer.Training.Models;
using static ClusterTrainer.Torch.torch;

namespace ClusterTrainer.Training.Local;

/// <summary>What a local run achieved.</summary>
public sealed record LocalRunResult(double TestAccuracy, double BestValidationAccuracy, int BestEpoch, int EpochsRun, bool StoppedEarly);

/// <summary>
/// Trains the seed CNN on Fashion-MNIST in this process: 10% of the training images (by seed) held out
/// for validation, inputs standardised with statistics of the training part only, Adam, shuffled
/// mini-batches, per-epoch validation accuracy, early stopping with patience, and finally the test
/// accuracy of the best epoch's weights. Issue 4 replaces the inner loop by a local cluster; the data
/// preparation and evaluation stay.
/// <code>
///   Load -> Split -> Standardise -> [ Epoch: train steps -> validate -> (improved? snapshot) ]* -> restore best -> Test
///                                        ^___________ patience left and epochs left ___________|
/// </code>
/// </summary>
public sealed class SingleProcessTrainer(LocalOptions options, ITrainingObserver observer)
{
    public LocalRunResult Run(CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        if (options.Threads is { } threads) set_num_threads(threads);
        manual_seed((long)(options.Seed & long.MaxValue));

        var all = FashionMnist.Load(MnistSplit.Train, options.DataDir, options.TrainLimit);
        var test = FashionMnist.Load(MnistSplit.Test, options.DataDir, options.TestLimit);
        var (train, validation) = DataSplit.TrainValidation(all, options.ValidationFraction, options.Seed);
        var standardizer = Standardizer.Fit(train);
        standardizer.Apply(train);
        standardizer.Apply(validation);
        standardizer.Apply(test);

        var trainLoader = new DataLoader(train, options.BatchSize, shuffle: true, seed: options.Seed);
        var validationLoader = new DataLoader(validation, 1000);
        var testLoader = new DataLoader(test, 1000);

        using var model = new SeedCnn();
        using var optimizer = optim.Adam(model.parameters(), lr: options.LearningRate);
        var schedule = optim.lr_scheduler.ExponentialLR(optimizer, options.LrDecay);
        var stopping = new EarlyStopping(options.Patience);
        Dictionary<string, float[]>? best = null;
        int epochsRun = 0;
        bool stoppedEarly = false;

        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            cancellation.ThrowIfCancellationRequested();
            var epochClock = Stopwatch.StartNew();
            double trainLoss = TrainEpoch(model, optimizer, trainLoader, epoch, options.Epochs, cancellation);
            schedule.step();
            double accuracy = Evaluation.Accuracy(model, validationLoader);
            bool improved = stopping.Observe(epoch, accuracy);
            if (improved) best = Evaluation.Snapshot(model);
            epochsRun++;
            observer.OnEvent(new EpochCompleted(epoch, trainLoss, accuracy, improved, epochClock.Elapsed));
            if (stopping.ShouldStop && epoch + 1 < options.Epochs)
            {
                observer.OnEvent(new StoppedEarly(epoch, stopping.BestEpoch, stopping.Best));
                stoppedEarly = true;
                break;
            }
        }

        if (best is not null) Evaluation.Restore(model, best);
        double testAccuracy = Evaluation.Accuracy(model, testLoader);
        observer.OnEvent(new TrainingFinished(testAccuracy, stopping.BestEpoch, clock.Elapsed));
        return new LocalRunResult(testAccuracy, stopping.Best, stopping.BestEpoch, epochsRun, stoppedEarly);
    }

    private double TrainEpoch(SeedCnn model, Torch.Optim.Optimizer optimizer, DataLoader loader, int epoch, int epochs, CancellationToken cancellation)
    {
        model.train();
        var plan = loader.Plan(epoch);
        observer.OnEvent(new EpochStarted(epoch, epochs, plan.BatchCount));
        var clock = Stopwatch.StartNew();
        double lossSum = 0;
        long samples = 0;
        for (int b = 0; b < plan.BatchCount; b++)
        {
            cancellation.ThrowIfCancellationRequested();
            float loss;
            using (NewDisposeScope())
            {
                var (x, y) = loader.LoadBatch(plan, b);
                optimizer.zero_grad();
                var output = model.call(x);
                var lossTensor = nn.functional.cross_entropy(output, y);
                lossTensor.backward();
                optimizer.step();
                loss = lossTensor.item<float>();
                samples += x.shape[0];
            }
            lossSum += loss;
            observer.OnEvent(new StepCompleted(epoch, b + 1, plan.BatchCount, loss, samples / Math.Max(clock.Elapsed.TotalSeconds, 1e-9)));
        }
        return lossSum / plan.BatchCount;
    }
}

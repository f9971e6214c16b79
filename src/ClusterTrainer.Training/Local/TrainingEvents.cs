namespace ClusterTrainer.Training.Local;

/// <summary>What a trainer reports while it runs; the node renders it (progress bar, log lines).</summary>
public abstract record TrainingEvent;

public sealed record EpochStarted(int Epoch, int Epochs, int Steps) : TrainingEvent;

/// <summary>One optimiser step done; <see cref="SamplesPerSecond"/> is measured over the epoch so far.</summary>
public sealed record StepCompleted(int Epoch, int Step, int Steps, double Loss, double SamplesPerSecond) : TrainingEvent;

public sealed record EpochCompleted(int Epoch, double TrainLoss, double ValidationAccuracy, bool Improved, TimeSpan Duration) : TrainingEvent;

public sealed record StoppedEarly(int Epoch, int BestEpoch, double BestValidationAccuracy) : TrainingEvent;

public sealed record TrainingFinished(double TestAccuracy, int BestEpoch, TimeSpan Duration) : TrainingEvent;

/// <summary>Receives <see cref="TrainingEvent"/>s; called on the training thread, so keep it cheap.</summary>
public interface ITrainingObserver
{
    void OnEvent(TrainingEvent e);
}

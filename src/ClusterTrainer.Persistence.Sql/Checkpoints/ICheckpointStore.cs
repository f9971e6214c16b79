namespace ClusterTrainer.Persistence.Sql.Checkpoints;

/// <summary>
/// The committed checkpoints of every run: one manifest per (run, step). Committing is one transaction,
/// so a manifest is either wholly there or not at all. Implementations: <see cref="SqliteCheckpointStore"/>
/// (embedded default) and <see cref="PostgresCheckpointStore"/> (cluster store).
/// </summary>
public interface ICheckpointStore
{
    /// <summary>Creates the table when missing (idempotent; the other methods call it too).</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>Commits <paramref name="manifest"/> atomically. Committing a step that already exists for the run
    /// throws <see cref="CheckpointExistsException"/>: a committed checkpoint is never overwritten.</summary>
    Task CommitAsync(CheckpointManifest manifest, CancellationToken cancellationToken = default);

    /// <summary>The run's committed manifests, oldest step first.</summary>
    Task<IReadOnlyList<CheckpointManifest>> ListAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>The committed manifest with the highest step, or null when the run has none.</summary>
    Task<CheckpointManifest?> LatestAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>The committed manifest of that step, or null.</summary>
    Task<CheckpointManifest?> GetAsync(string runId, long step, CancellationToken cancellationToken = default);

    /// <summary>Removes the manifest of that step; returns whether one was there.</summary>
    Task<bool> DeleteAsync(string runId, long step, CancellationToken cancellationToken = default);
}

/// <summary>A manifest for that run and step is already committed.</summary>
public sealed class CheckpointExistsException(string runId, long step, Exception? inner = null)
    : InvalidOperationException(
        $"run '{runId}' already has a committed checkpoint at step {step}; committed checkpoints are never overwritten " +
        "(delete it first, or checkpoint at another step)", inner)
{
    public string RunId { get; } = runId;

    public long Step { get; } = step;
}

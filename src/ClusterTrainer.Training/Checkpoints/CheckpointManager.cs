using System.Globalization;
using System.Text.RegularExpressions;
using ClusterTrainer.Persistence.Sql.Checkpoints;

namespace ClusterTrainer.Training.Checkpoints;

/// <summary>Where training stood when a checkpoint was taken (everything but the shards' parts).</summary>
public sealed record CheckpointPosition(long Step, int Epoch, long DataCursor, IReadOnlyList<long> RngSeeds, string SpecHash);

/// <summary>A committed checkpoint read back with every part verified; <paramref name="Warnings"/> says which newer
/// checkpoints were refused on the way (when falling back).</summary>
public sealed record LoadedCheckpoint(CheckpointManifest Manifest, IReadOnlyList<ShardPartData> Parts, IReadOnlyList<string> Warnings);

/// <summary>
/// The checkpoint protocol of one node's view of the checkpoint directory:
/// <code>
///   shards: WritePart (temp, fsync, rename, fsync dir) ──► every part durable
///   coordinator: CommitAsync ──► manifest row (one transaction) ──► retention: drop oldest manifests, then their files
///   crash before the commit ──► parts without a manifest = orphans, removed by CleanOrphansAsync; latest stays the previous one
/// </code>
/// Part files live in <c>root/runId/</c>, named <c>step-&lt;step&gt;-shard-&lt;id&gt;-&lt;attempt&gt;.part</c>.
/// </summary>
public sealed partial class CheckpointManager
{
    private readonly ICheckpointStore store;

    public CheckpointManager(ICheckpointStore store, string rootDirectory, int keepLast = 3)
    {
        this.store = store ?? throw new ArgumentNullException(nameof(store));
        if (string.IsNullOrWhiteSpace(rootDirectory))
        {
            throw new ArgumentException("the checkpoint directory is empty; set the run's checkpoint directory, e.g. 'data/checkpoints'", nameof(rootDirectory));
        }

        if (keepLast < 1)
        {
            throw new ArgumentException($"keep-last is {keepLast}; keep at least 1 checkpoint (setting 'checkpoint.keep')", nameof(keepLast));
        }

        RootDirectory = Path.GetFullPath(rootDirectory);
        KeepLast = keepLast;
    }

    public string RootDirectory { get; }

    public int KeepLast { get; }

    public string RunDirectory(string runId) => Path.Combine(RootDirectory, CheckpointManifest.ValidateRunId(runId));

    /// <summary>The name of one attempt at a shard's part: the attempt id keeps a repeated write of the same step (a checkpoint
    /// request delivered twice, a retry after failover) from ever replacing a file a committed manifest names.</summary>
    public static string PartFileName(long step, int shardId, string attempt) =>
        string.Create(CultureInfo.InvariantCulture, $"step-{step:D12}-shard-{shardId:D4}-{attempt}.part");

    /// <summary>A shard writes its slice and optimizer state for <paramref name="header"/>.Step; returns the manifest entry.</summary>
    public CheckpointPart WritePart(string runId, ShardPartHeader header, ReadOnlySpan<float> values, IReadOnlyList<OptimizerStateEntry> optimizerState) =>
        PartFile.Write(RunDirectory(runId), PartFileName(header.Step, header.ShardId, Guid.NewGuid().ToString("N")[..8]), header, values, optimizerState);

    /// <summary>Commits the manifest once every part is on disk with its recorded size, then keeps the last <see cref="KeepLast"/>
    /// checkpoints and removes orphans of earlier steps. Returns the committed manifest.</summary>
    public async Task<CheckpointManifest> CommitAsync(
        string runId, CheckpointPosition position, IReadOnlyList<CheckpointPart> parts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(position);
        ArgumentNullException.ThrowIfNull(parts);
        var directory = RunDirectory(runId);
        foreach (var part in parts)
        {
            var path = Path.Combine(directory, part.FileName);
            var info = new FileInfo(path);
            if (!info.Exists || info.Length != part.SizeBytes)
            {
                throw new CheckpointCorruptException(path,
                    $"cannot commit step {position.Step}: the part of shard {part.ShardId} is {(info.Exists ? $"{info.Length} bytes, not {part.SizeBytes}" : "missing")}");
            }
        }

        var manifest = new CheckpointManifest(runId, position.Step, position.Epoch, position.DataCursor, position.RngSeeds, position.SpecHash,
            parts.OrderBy(p => p.Offset).ToList(), DateTimeOffset.UtcNow);
        await store.CommitAsync(manifest, cancellationToken).ConfigureAwait(false);
        await ApplyRetentionAsync(runId, cancellationToken).ConfigureAwait(false);
        await CleanOrphansAsync(runId, upToStep: position.Step, cancellationToken).ConfigureAwait(false);
        return manifest;
    }

    /// <summary>Keeps the newest <see cref="KeepLast"/> manifests: older ones are deleted from the store first, then their part
    /// files (never a file a kept manifest names). Returns how many checkpoints were dropped.</summary>
    public async Task<int> ApplyRetentionAsync(string runId, CancellationToken cancellationToken = default)
    {
        var all = await store.ListAsync(runId, cancellationToken).ConfigureAwait(false);
        var drop = all.Take(Math.Max(0, all.Count - KeepLast)).ToList();
        var kept = all.Skip(drop.Count).SelectMany(m => m.Parts).Select(p => p.FileName).ToHashSet(StringComparer.Ordinal);
        var directory = RunDirectory(runId);
        foreach (var manifest in drop)
        {
            await store.DeleteAsync(runId, manifest.Step, cancellationToken).ConfigureAwait(false);
            foreach (var part in manifest.Parts.Where(p => !kept.Contains(p.FileName)))
            {
                File.Delete(Path.Combine(directory, part.FileName));
            }
        }

        return drop.Count;
    }

    /// <summary>Deletes part files and temp files that no committed manifest names: what a crash between parts and manifest
    /// leaves. With <paramref name="upToStep"/> only files of steps up to it are touched (a later checkpoint may be in flight);
    /// without it (at resume, nothing in flight) every orphan goes. Returns the deleted file names.</summary>
    public async Task<IReadOnlyList<string>> CleanOrphansAsync(string runId, long? upToStep = null, CancellationToken cancellationToken = default)
    {
        var directory = RunDirectory(runId);
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var referenced = (await store.ListAsync(runId, cancellationToken).ConfigureAwait(false))
            .SelectMany(m => m.Parts).Select(p => p.FileName).ToHashSet(StringComparer.Ordinal);
        var deleted = new List<string>();
        foreach (var path in Directory.EnumerateFiles(directory))
        {
            var name = Path.GetFileName(path);
            var match = PartName().Match(name);
            if (!match.Success || referenced.Contains(name))
            {
                continue;
            }

            if (upToStep is { } limit && long.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture) > limit)
            {
                continue;
            }

            File.Delete(path);
            deleted.Add(name);
        }

        return deleted;
    }

    /// <summary>The latest committed checkpoint with every part verified, or null when the run has none. A missing, truncated or
    /// corrupt part throws <see cref="CheckpointCorruptException"/>; with <paramref name="fallBackToPrevious"/> the previous committed
    /// checkpoint is tried instead and the refusal is reported in <see cref="LoadedCheckpoint.Warnings"/>.</summary>
    public async Task<LoadedCheckpoint?> LoadLatestAsync(string runId, bool fallBackToPrevious = false, CancellationToken cancellationToken = default)
    {
        var all = await store.ListAsync(runId, cancellationToken).ConfigureAwait(false);
        var warnings = new List<string>();
        for (var i = all.Count - 1; i >= 0; i--)
        {
            try
            {
                return new LoadedCheckpoint(all[i], ReadParts(all[i]), warnings);
            }
            catch (CheckpointCorruptException ex) when (fallBackToPrevious && i > 0)
            {
                warnings.Add($"checkpoint step {all[i].Step} of run '{runId}' refused ({ex.Message}); falling back to step {all[i - 1].Step}");
            }
        }

        return null;
    }

    /// <summary>The committed checkpoint of <paramref name="step"/>, verified; throws when there is none or a part is bad.</summary>
    public async Task<LoadedCheckpoint> LoadAsync(string runId, long step, CancellationToken cancellationToken = default)
    {
        var manifest = await store.GetAsync(runId, step, cancellationToken).ConfigureAwait(false)
                       ?? throw new InvalidOperationException($"run '{runId}' has no committed checkpoint at step {step}; `ctr checkpoint list` shows the steps there are");
        return new LoadedCheckpoint(manifest, ReadParts(manifest), []);
    }

    private List<ShardPartData> ReadParts(CheckpointManifest manifest)
    {
        var directory = RunDirectory(manifest.RunId);
        return manifest.Parts.Select(p => PartFile.Read(directory, p)).ToList();
    }

    [GeneratedRegex(@"^step-(\d+)-shard-\d+-[0-9a-f]+\.part(\.tmp-[0-9a-f]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex PartName();
}

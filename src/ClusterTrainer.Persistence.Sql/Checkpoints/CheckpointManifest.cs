using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClusterTrainer.Persistence.Sql.Checkpoints;

/// <summary>
/// One shard's part of a checkpoint as the manifest records it: which slice of the flat parameter vector
/// it holds (<paramref name="Offset"/>, <paramref name="Length"/> in float elements), the part file's name
/// relative to the run's checkpoint directory, its size in bytes and its CRC-32C (8 lowercase hex digits).
/// </summary>
public sealed record CheckpointPart(int ShardId, long Offset, long Length, string FileName, long SizeBytes, string Checksum);

/// <summary>
/// What a committed checkpoint is: the training position (step, epoch, data cursor, RNG seeds), the hash
/// of the run spec it belongs to, and every shard's part. A manifest is committed only after every part it
/// names is durable on disk; the store is the source of truth for which checkpoints exist.
/// </summary>
public sealed record CheckpointManifest(
    string RunId,
    long Step,
    int Epoch,
    long DataCursor,
    IReadOnlyList<long> RngSeeds,
    string SpecHash,
    IReadOnlyList<CheckpointPart> Parts,
    DateTimeOffset CreatedAt)
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    /// <summary>Throws with what is wrong and how to fix it when the manifest cannot be committed.</summary>
    public void Validate()
    {
        ValidateRunId(RunId);
        if (Step < 0) throw new ArgumentException($"checkpoint of run '{RunId}' has step {Step}; steps start at 0", nameof(Step));
        if (Epoch < 0) throw new ArgumentException($"checkpoint of run '{RunId}' step {Step} has epoch {Epoch}; epochs start at 0", nameof(Epoch));
        if (DataCursor < 0) throw new ArgumentException($"checkpoint of run '{RunId}' step {Step} has data cursor {DataCursor}; it must be >= 0", nameof(DataCursor));
        ArgumentNullException.ThrowIfNull(RngSeeds);
        ArgumentNullException.ThrowIfNull(SpecHash);
        if (Parts is null || Parts.Count == 0)
        {
            throw new ArgumentException($"checkpoint of run '{RunId}' step {Step} has no parts: every parameter shard must contribute one", nameof(Parts));
        }

        var shards = new HashSet<int>();
        foreach (var part in Parts)
        {
            if (part is null) throw new ArgumentException($"checkpoint of run '{RunId}' step {Step} has a null part", nameof(Parts));
            if (!shards.Add(part.ShardId))
            {
                throw new ArgumentException($"checkpoint of run '{RunId}' step {Step} lists shard {part.ShardId} twice", nameof(Parts));
            }

            if (part.Offset < 0 || part.Length < 0 || part.SizeBytes <= 0 || string.IsNullOrWhiteSpace(part.FileName) ||
                part.FileName.IndexOfAny(['/', '\\']) >= 0 || part.Checksum is not { Length: 8 })
            {
                throw new ArgumentException(
                    $"checkpoint of run '{RunId}' step {Step}: part of shard {part.ShardId} is malformed ({part}); it needs offset/length >= 0, " +
                    "a positive size, a plain file name without directories and an 8-digit CRC-32C", nameof(Parts));
            }
        }
    }

    /// <summary>Run ids become directory names and SQL parameters: 1-128 characters from [A-Za-z0-9._-], not "." or "..".</summary>
    public static string ValidateRunId(string? runId)
    {
        if (string.IsNullOrEmpty(runId) || runId.Length > 128 || runId is "." or ".." ||
            !runId.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            throw new ArgumentException(
                $"run id '{runId}' is not usable for checkpoints: use 1-128 characters from [A-Za-z0-9._-] (e.g. 'fashion-mnist-01')",
                nameof(runId));
        }

        return runId;
    }

    /// <summary>The manifest as stored (JSON).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a stored manifest; a damaged row is reported with its run and step.</summary>
    public static CheckpointManifest FromJson(string json, string runId, long step)
    {
        try
        {
            return JsonSerializer.Deserialize<CheckpointManifest>(json, Json)
                   ?? throw new InvalidDataException("the manifest is JSON null");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException(
                $"the stored manifest of run '{runId}' step {step} cannot be read ({ex.Message}); delete that checkpoint row", ex);
        }
    }
}

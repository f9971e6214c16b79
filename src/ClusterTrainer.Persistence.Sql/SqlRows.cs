using System.Data.Common;
using ClusterTrainer.Actors.Persistence;

namespace ClusterTrainer.Persistence.Sql;

/// <summary>
/// Row mapping shared by the SQLite and PostgreSQL stores: both select the same columns in the same order,
/// so one reader-to-record conversion serves both providers. The SQL text stays with each store.
/// </summary>
internal static class SqlRows
{
    /// <summary>
    /// A journal row selected as (sequence_nr, manifest, payload, writer_uuid, timestamp_ms, tags).
    /// </summary>
    public static PersistentRepr Event(DbDataReader reader, string persistenceId) =>
        new(
            persistenceId,
            reader.GetInt64(0),
            reader.GetString(1),
            reader.GetFieldValue<byte[]>(2),
            reader.GetString(3),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
            JournalBatch.SplitTags(reader.GetString(5)));

    /// <summary>A snapshot row selected as (sequence_nr, timestamp_ms, manifest, payload).</summary>
    public static SelectedSnapshot Snapshot(DbDataReader reader, string persistenceId) =>
        new(
            new SnapshotMetadata(persistenceId, reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1))),
            reader.GetString(2),
            reader.GetFieldValue<byte[]>(3));
}

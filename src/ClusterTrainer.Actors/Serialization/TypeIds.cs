namespace ClusterTrainer.Actors.Serialization;

/// <summary>
/// Stable wire ids of registered message types. An id is part of the wire protocol: never reuse or
/// renumber one; add new ones inside the range of the subsystem that owns the message.
/// <code>
///   0               invalid (never registered; a frame carrying it is refused)
///   1 ..    19      built-in primitives (string, int, long, bytes, ...)       Serialization
///  20 ..    99      core actor messages (Status.Failure, Identify, ...)        Core
/// 100 ..   199      remote (tensor payload, remote watch, ...)                 Remote
/// 200 ..   399      cluster (gossip, heartbeat, join, leave, down, ...)        Cluster
/// 400 ..   599      sharding and singleton                                     Sharding / Singleton
/// 600 ..   799      persistence                                                Persistence
/// 1000 ..  1999     training (coordinator, parameter server, worker)           Training
/// 10000 .. 65535    applications and tests
/// </code>
/// </summary>
public static class TypeIds
{
    public const ushort Invalid = 0;

    public const ushort String = 1;
    public const ushort Int32 = 2;
    public const ushort Int64 = 3;
    public const ushort Bytes = 4;
    public const ushort Bool = 5;
    public const ushort Double = 6;

    public const ushort CoreFirst = 20, CoreLast = 99;
    public const ushort RemoteFirst = 100, RemoteLast = 199;
    public const ushort ClusterFirst = 200, ClusterLast = 399;
    public const ushort ShardingFirst = 400, ShardingLast = 599;
    public const ushort PersistenceFirst = 600, PersistenceLast = 799;
    public const ushort TrainingFirst = 1000, TrainingLast = 1999;
    public const ushort ApplicationFirst = 10000;

    /// <summary>The raw tensor payload (<see cref="TensorPayload"/>); its bytes travel outside the codec.</summary>
    public const ushort TensorPayload = 100;
}

namespace ClusterTrainer.Training.Control;

/// <summary>
/// What one node process needs to join the cluster and play its roles. The node host binds it from
/// appsettings.json (section "Node"), environment variables (CLUSTERTRAINER_NODE__PORT, ...) and the command line
/// (--port, ...), later sources winning. Lists (Seeds, Roles) are comma-separated strings in env and CLI.
/// <code>
///   key            env                               cli              default
///   Host           CLUSTERTRAINER_NODE__HOST         --host           127.0.0.1     address to bind
///   PublicHost     CLUSTERTRAINER_NODE__PUBLICHOST   --public-host    = Host        address other nodes dial
///   Port           CLUSTERTRAINER_NODE__PORT         --port           4053          remoting port (0 = any)
///   Seeds          CLUSTERTRAINER_NODE__SEEDS        --seeds          (none)        ct.tcp://clustertrainer@host:port,...
///   Roles          CLUSTERTRAINER_NODE__ROLES        --roles          coordinator,ps,worker
///   Secret         CLUSTERTRAINER_NODE__SECRET       --secret         (required)    cluster secret (HMAC handshake)
///   Store          CLUSTERTRAINER_NODE__STORE        --store          sqlite:clustertrainer.db   or postgres:Host=...;...
///   CheckpointDir  CLUSTERTRAINER_NODE__CHECKPOINTDIR --checkpoint-dir checkpoints  shared by ps nodes and coordinator
///   DataDir        CLUSTERTRAINER_NODE__DATADIR      --data-dir       /usr/share/datasets/fashion-mnist
///   Device         CLUSTERTRAINER_NODE__DEVICE       --device         auto          auto | cpu | cuda
///   Threads        CLUSTERTRAINER_NODE__THREADS      --threads        0             torch intra-op threads (0 = cores)
///   HttpPort       CLUSTERTRAINER_NODE__HTTPPORT     --http-port      8080          control API port (0 = any, -1 = off)
///   Token          CLUSTERTRAINER_NODE__TOKEN        --token          (required when HttpPort >= 0)
/// </code>
/// </summary>
public sealed record NodeOptions
{
    public const string SystemName = "clustertrainer";
    public string Host { get; init; } = "127.0.0.1";
    public string? PublicHost { get; init; }
    public int Port { get; init; } = 4053;
    public IReadOnlyList<string> Seeds { get; init; } = [];
    public IReadOnlyList<string> Roles { get; init; } = ["coordinator", "ps", "worker"];
    public string Secret { get; init; } = "";
    public string Store { get; init; } = "sqlite:clustertrainer.db";
    public string CheckpointDir { get; init; } = "checkpoints";
    public string DataDir { get; init; } = "/usr/share/datasets/fashion-mnist";
    public string Device { get; init; } = "auto";
    public int Threads { get; init; }
    public int HttpPort { get; init; } = 8080;
    public string? Token { get; init; }

    public static readonly IReadOnlyList<string> KnownRoles = ["coordinator", "ps", "worker"];
}

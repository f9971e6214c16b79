using ClusterTrainer.Actors.Buffers;

namespace ClusterTrainer.Actors.Remote;

/// <summary>
/// Settings of the TCP remote transport. <see cref="Validate"/> runs when the transport starts and
/// names the setting to fix.
/// </summary>
public sealed record RemoteSettings
{
    /// <summary>Interface to bind (an IP address or a host name), e.g. 127.0.0.1 or 0.0.0.0.</summary>
    public string Host { get; init; } = "127.0.0.1";
    /// <summary>The host peers use to reach this node (part of its address); default <see cref="Host"/>.
    /// Set it when binding 0.0.0.0 or behind NAT (e.g. the pod's DNS name).</summary>
    public string? PublicHost { get; init; }
    /// <summary>Port to bind; 0 picks a free one (read it back from the started transport).</summary>
    public int Port { get; init; }
    /// <summary>The cluster secret every node must hold. It never crosses the wire (HMAC challenge-response).</summary>
    public string Secret { get; init; } = "";
    /// <summary>Largest frame accepted or sent, header included. Bigger frames drop the connection with a logged reason.</summary>
    public int MaxFrameSize { get; init; } = 64 * 1024 * 1024 + 64 * 1024;
    /// <summary>Messages queued per remote address while the connection is slow or down. When full, new messages go
    /// to dead letters (Tell never blocks the sender).</summary>
    public int OutboundQueueCapacity { get; init; } = 100_000;
    /// <summary>Writer batches up to this many bytes of small frames per socket write.</summary>
    public int WriteBatchBytes { get; init; } = 256 * 1024;
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Inbound connections open at once (each holds a 128 KiB read buffer); more are closed at accept, logged and counted.</summary>
    public int MaxInboundConnections { get; init; } = 512;
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>First reconnect delay after a lost or failed connection; doubles per failure up to <see cref="ReconnectBackoffMax"/>, ±20% jitter.</summary>
    public TimeSpan ReconnectBackoffMin { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan ReconnectBackoffMax { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Quarantine an address after this many consecutive failed connection attempts; null = never (the cluster decides).</summary>
    public int? QuarantineAfterFailedAttempts { get; init; }
    /// <summary>Optional TLS for every connection.</summary>
    public TlsSettings? Tls { get; init; }
    /// <summary>Pool for receive buffers and tensor payloads.</summary>
    public PinnedBufferPool BufferPool { get; init; } = PinnedBufferPool.Shared;

    public void Validate()
    {
        if (string.IsNullOrEmpty(Secret))
            throw new ArgumentException("RemoteSettings.Secret is empty: every node of a cluster needs the same cluster secret (set remote.secret / CLUSTERTRAINER_SECRET).");
        if (string.IsNullOrWhiteSpace(Host))
            throw new ArgumentException("RemoteSettings.Host is empty: set the interface to bind, e.g. 127.0.0.1 or 0.0.0.0.");
        if (Host is "0.0.0.0" or "::" && string.IsNullOrWhiteSpace(PublicHost))
            throw new ArgumentException($"RemoteSettings.Host is {Host} (all interfaces) but PublicHost is not set: peers need a reachable host name or IP in this node's address; set remote.public-host.");
        if (Port is < 0 or > 65535)
            throw new ArgumentException($"RemoteSettings.Port {Port} is out of range; use 0..65535 (0 = pick a free port).");
        if (MaxFrameSize < 64 * 1024)
            throw new ArgumentException($"RemoteSettings.MaxFrameSize {MaxFrameSize} is too small; it must be at least 65536 bytes.");
        if (MaxFrameSize > BufferPool.MaxBufferSize)
            throw new ArgumentException($"RemoteSettings.MaxFrameSize {MaxFrameSize} exceeds the buffer pool's largest buffer {BufferPool.MaxBufferSize}; lower it or use a pool with larger buffers.");
        if (OutboundQueueCapacity < 1)
            throw new ArgumentException($"RemoteSettings.OutboundQueueCapacity must be >= 1, got {OutboundQueueCapacity}.");
        if (MaxInboundConnections < 1)
            throw new ArgumentException($"RemoteSettings.MaxInboundConnections must be >= 1, got {MaxInboundConnections}.");
        if (WriteBatchBytes < 4096)
            throw new ArgumentException($"RemoteSettings.WriteBatchBytes must be >= 4096, got {WriteBatchBytes}.");
        if (ReconnectBackoffMin <= TimeSpan.Zero || ReconnectBackoffMax < ReconnectBackoffMin)
            throw new ArgumentException("RemoteSettings.ReconnectBackoffMin must be > 0 and <= ReconnectBackoffMax.");
        if (HandshakeTimeout <= TimeSpan.Zero || ConnectTimeout <= TimeSpan.Zero)
            throw new ArgumentException("RemoteSettings.HandshakeTimeout and ConnectTimeout must be positive.");
        Tls?.Validate();
    }
}

/// <summary>
/// TLS settings. The certificate comes from a PFX file (<see cref="CertificatePath"/> ending in .pfx/.p12,
/// optional <see cref="CertificatePassword"/>) or a PEM pair (<see cref="CertificatePath"/> + <see cref="KeyPath"/>).
/// A peer certificate is accepted when its chain validates, or when it is the same certificate as this
/// node's own or one of <see cref="TrustedCertificatePaths"/> (a cluster typically shares one certificate).
/// </summary>
public sealed record TlsSettings
{
    public required string CertificatePath { get; init; }
    public string? KeyPath { get; init; }
    public string? CertificatePassword { get; init; }
    /// <summary>The accepting side demands a client certificate.</summary>
    public bool RequireClientCertificate { get; init; } = true;
    public IReadOnlyList<string> TrustedCertificatePaths { get; init; } = [];
    /// <summary>Name the dialer expects in the server certificate (SNI); default: the certificate's own subject.</summary>
    public string? TargetHost { get; init; }

    public void Validate()
    {
        if (!File.Exists(CertificatePath))
            throw new ArgumentException($"TLS certificate file '{CertificatePath}' does not exist; set remote.tls.certificate to a PEM or PFX file.");
        if (KeyPath is not null && !File.Exists(KeyPath))
            throw new ArgumentException($"TLS key file '{KeyPath}' does not exist; set remote.tls.key to the PEM private key of the certificate.");
        foreach (string p in TrustedCertificatePaths)
            if (!File.Exists(p)) throw new ArgumentException($"Trusted certificate file '{p}' does not exist.");
    }
}

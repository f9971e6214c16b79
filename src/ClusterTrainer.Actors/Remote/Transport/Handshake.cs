using System.Security.Cryptography;
using System.Text;
using ClusterTrainer.Actors.Serialization;

namespace ClusterTrainer.Actors.Remote.Transport;

/// <summary>
/// Mutual authentication of a fresh connection by HMAC-SHA256 challenge-response over the cluster
/// secret; the secret itself never crosses the wire. Nothing but handshake frames is read before it
/// succeeds. Steps (D = dialer, A = acceptor, nD/nA = fresh 32-byte nonces):
/// <code>
///  D -> A  Hello     magic, version, D's system/host/port, A's expected system, nD
///  A -> D  Challenge magic, version, A's system/host/port, nA, HMAC(secret, "ct-server" | nD | nA | D | A)
///  D -> A  Proof     HMAC(secret, "ct-client" | nA | nD | D | A)
///  A -> D  Accept
///  either  Reject    reason (then closes)  -- wrong secret, version mismatch, wrong system, refused address
/// </code>
/// Public so tools and tests can speak the protocol (the fuzz tests dial a node with it).
/// </summary>
public static class Handshake
{
    public const uint Magic = 0x4D525443; // "CTRM"
    public const ushort ProtocolVersion = 1;
    private const int NonceSize = 32;

    private enum Step : ushort { Hello = 1, Challenge = 2, Proof = 3, Accept = 4, Reject = 5 }

    /// <summary>Runs the dialer side; returns the acceptor's address.</summary>
    public static async Task<NodeAddress> DialAsync(Stream stream, FrameReader reader, NodeAddress local, NodeAddress target, byte[] key, CancellationToken ct)
    {
        byte[] nonceD = RandomNumberGenerator.GetBytes(NonceSize);
        var w = new MessageWriter(512);
        w.WriteUInt32(Magic); w.WriteUInt16(ProtocolVersion);
        WriteAddress(w, local); w.WriteString(target.System); w.WriteRaw(nonceD);
        await SendAsync(stream, Step.Hello, w, ct).ConfigureAwait(false);

        var (step, body) = await ReceiveAsync(reader, ct).ConfigureAwait(false);
        if (step == Step.Reject) throw new HandshakeException($"the peer refused us: {ReadReason(body)}", tellPeer: false);
        if (step != Step.Challenge) throw new HandshakeException($"expected a handshake challenge, got step {(ushort)step}", tellPeer: true);
        NodeAddress remote; byte[] nonceA; byte[] macA;
        {
            var r = new MessageReader(body.Span);
            CheckMagicAndVersion(ref r);
            remote = ReadAddress(ref r);
            nonceA = r.ReadRaw(NonceSize).ToArray();
            macA = r.ReadRaw(32).ToArray();
            if (!r.End) throw new HandshakeException("the handshake challenge has trailing bytes", tellPeer: true);
        }
        byte[] expected = Mac(key, "ct-server", nonceD, nonceA, local, remote);
        if (!CryptographicOperations.FixedTimeEquals(expected, macA))
            await RejectAsync(stream, "the acceptor could not prove it holds the cluster secret (wrong secret?)", ct).ConfigureAwait(false);
        if (remote.System != target.System)
            await RejectAsync(stream, $"dialed actor system '{target.System}' but the peer is '{remote.System}'", ct).ConfigureAwait(false);

        w.Reset();
        w.WriteRaw(Mac(key, "ct-client", nonceA, nonceD, local, remote));
        await SendAsync(stream, Step.Proof, w, ct).ConfigureAwait(false);

        (step, body) = await ReceiveAsync(reader, ct).ConfigureAwait(false);
        if (step == Step.Reject) throw new HandshakeException($"the peer refused us: {ReadReason(body)}", tellPeer: false);
        if (step != Step.Accept) throw new HandshakeException($"expected handshake accept, got step {(ushort)step}", tellPeer: true);
        return remote;
    }

    /// <summary>Runs the acceptor side; returns the dialer's address. <paramref name="admit"/> may refuse an address (returns a reason).</summary>
    public static async Task<NodeAddress> AcceptAsync(Stream stream, FrameReader reader, NodeAddress local, byte[] key, Func<NodeAddress, string?> admit, CancellationToken ct)
    {
        var (step, body) = await ReceiveAsync(reader, ct).ConfigureAwait(false);
        if (step != Step.Hello) throw new HandshakeException($"expected a handshake hello, got step {(ushort)step}", tellPeer: true);
        uint magic; ushort version;
        {
            var r = new MessageReader(body.Span);
            magic = r.ReadUInt32();
            version = r.ReadUInt16();
        }
        if (magic != Magic) throw new HandshakeException($"bad handshake magic 0x{magic:X8}: not a ClusterTrainer node", tellPeer: false);
        if (version != ProtocolVersion)
            await RejectAsync(stream, $"protocol version mismatch: the dialer speaks v{version}, this node v{ProtocolVersion}; run the same ClusterTrainer version on every node", ct).ConfigureAwait(false);
        NodeAddress remote; byte[] nonceD; string targetSystem;
        {
            var r = new MessageReader(body.Span[6..]);
            remote = ReadAddress(ref r);
            targetSystem = r.ReadRequiredString();
            nonceD = r.ReadRaw(NonceSize).ToArray();
            if (!r.End) throw new HandshakeException("the handshake hello has trailing bytes", tellPeer: true);
        }
        if (targetSystem != local.System)
            await RejectAsync(stream, $"the dialer expected actor system '{targetSystem}' but this node is '{local.System}'", ct).ConfigureAwait(false);
        if (admit(remote) is { } refusal)
            await RejectAsync(stream, refusal, ct).ConfigureAwait(false);

        byte[] nonceA = RandomNumberGenerator.GetBytes(NonceSize);
        var w = new MessageWriter(512);
        w.WriteUInt32(Magic); w.WriteUInt16(ProtocolVersion);
        WriteAddress(w, local); w.WriteRaw(nonceA);
        w.WriteRaw(Mac(key, "ct-server", nonceD, nonceA, remote, local));
        await SendAsync(stream, Step.Challenge, w, ct).ConfigureAwait(false);

        (step, body) = await ReceiveAsync(reader, ct).ConfigureAwait(false);
        if (step == Step.Reject) throw new HandshakeException($"the dialer refused us: {ReadReason(body)}", tellPeer: false);
        if (step != Step.Proof) throw new HandshakeException($"expected a handshake proof, got step {(ushort)step}", tellPeer: true);
        byte[] expected = Mac(key, "ct-client", nonceA, nonceD, remote, local);
        if (body.Length != expected.Length || !CryptographicOperations.FixedTimeEquals(expected, body.Span))
            await RejectAsync(stream, "the dialer could not prove it holds the cluster secret (wrong secret?)", ct).ConfigureAwait(false);

        w.Reset();
        await SendAsync(stream, Step.Accept, w, ct).ConfigureAwait(false);
        return remote;
    }

    private static byte[] Mac(byte[] key, string label, byte[] n1, byte[] n2, NodeAddress dialer, NodeAddress acceptor)
    {
        var w = new MessageWriter(256);
        w.WriteString(label); w.WriteRaw(n1); w.WriteRaw(n2);
        w.WriteString(dialer.ToString()); w.WriteString(acceptor.ToString());
        return HMACSHA256.HashData(key, w.WrittenSpan);
    }

    private static void CheckMagicAndVersion(ref MessageReader r)
    {
        uint magic = r.ReadUInt32();
        if (magic != Magic) throw new HandshakeException($"bad handshake magic 0x{magic:X8}: not a ClusterTrainer node", tellPeer: false);
        ushort version = r.ReadUInt16();
        if (version != ProtocolVersion)
            throw new HandshakeException($"protocol version mismatch: the peer speaks v{version}, this node v{ProtocolVersion}; run the same ClusterTrainer version on every node", tellPeer: true);
    }

    private static void WriteAddress(MessageWriter w, NodeAddress a) { w.WriteString(a.System); w.WriteString(a.Host); w.WriteInt32(a.Port); }

    private static NodeAddress ReadAddress(ref MessageReader r)
    {
        string system = r.ReadRequiredString();
        string host = r.ReadRequiredString();
        int port = r.ReadInt32();
        if (system.Length == 0 || system.Length > 256 || host.Length == 0 || host.Length > 256 || port is < 1 or > 65535)
            throw new HandshakeException($"the peer declared an invalid address (system '{Trunc(system)}', host '{Trunc(host)}', port {port})", tellPeer: true);
        return new NodeAddress(system, host, port);
    }

    private static string Trunc(string s) => s.Length <= 40 ? s : s[..40] + "...";

    private static string ReadReason(ReadOnlyMemory<byte> body)
    {
        try { var r = new MessageReader(body.Span); return Trunc200(r.ReadRequiredString()); }
        catch (FrameFormatException) { return "(unreadable reason)"; }
    }

    private static string Trunc200(string s) => s.Length <= 200 ? s : s[..200] + "...";

    /// <summary>Tells the peer why (best effort) and fails the handshake with that reason.</summary>
    private static async Task RejectAsync(Stream stream, string reason, CancellationToken ct)
    {
        await TrySendRejectAsync(stream, reason, ct).ConfigureAwait(false);
        throw new HandshakeException(reason, tellPeer: false);
    }

    public static async Task TrySendRejectAsync(Stream stream, string reason, CancellationToken ct)
    {
        try
        {
            var w = new MessageWriter(256);
            w.WriteString(reason);
            await SendAsync(stream, Step.Reject, w, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException) { }
    }

    private static async Task SendAsync(Stream stream, Step step, MessageWriter payload, CancellationToken ct)
    {
        byte[] frame = new byte[FrameFormat.PrefixAndHeader + payload.Position];
        FrameFormat.WriteHeader(frame, FrameFormat.FixedHeader + payload.Position, FrameKind.Handshake, (ushort)step, 0, 0, payload.Position);
        payload.WrittenSpan.CopyTo(frame.AsSpan(FrameFormat.PrefixAndHeader));
        await stream.WriteAsync(frame, ct).ConfigureAwait(false);
        await stream.FlushAsync(ct).ConfigureAwait(false);
    }

    private static async Task<(Step, ReadOnlyMemory<byte>)> ReceiveAsync(FrameReader reader, CancellationToken ct)
    {
        var header = await reader.ReadHeaderAsync(FrameFormat.MaxHandshakeFrame, ct).ConfigureAwait(false)
            ?? throw new HandshakeException("the peer closed the connection during the handshake", tellPeer: false);
        if (header.Kind != FrameKind.Handshake || header.RecipientLength != 0 || header.SenderLength != 0)
            throw new HandshakeException($"a {header.Kind} frame arrived before the handshake completed", tellPeer: true);
        if (header.TypeId is < (ushort)Step.Hello or > (ushort)Step.Reject)
            throw new HandshakeException($"unknown handshake step {header.TypeId}", tellPeer: true);
        var body = await reader.ReadBodyAsync(header.PayloadLength, ct).ConfigureAwait(false);
        return ((Step)header.TypeId, body);
    }
}

/// <summary>The handshake failed; <see cref="TellPeer"/> says whether a Reject with the reason should still be sent.</summary>
public sealed class HandshakeException(string reason, bool tellPeer) : Exception(reason)
{
    public bool TellPeer { get; } = tellPeer;
}

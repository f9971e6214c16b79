using ClusterTrainer.Actors.Buffers;
using ClusterTrainer.Actors.Remote.Transport;
using ClusterTrainer.Actors.Serialization;
using Xunit;

namespace ClusterTrainer.Actors.Tests.Remote;

public sealed class HandshakeTests
{
    /// <summary>Sends a hand-made Hello and returns the node's answer (step, reason text for a Reject).</summary>
    private static async Task<(ushort Step, string? Reason, byte[] Body)> HelloAsync(ClusterTrainer.Actors.Remote.NodeAddress target, ushort version, string targetSystem)
    {
        var (_, stream) = await TestTransports.DialRawAsync(target, handshake: false);
        await using var _ = stream;
        var w = new MessageWriter(256);
        int header = w.Reserve(FrameFormat.PrefixAndHeader);
        w.WriteUInt32(Handshake.Magic); w.WriteUInt16(version);
        w.WriteString("probe"); w.WriteString("127.0.0.1"); w.WriteInt32(9);
        w.WriteString(targetSystem); w.WriteRaw(new byte[32]);
        int payload = w.Position - FrameFormat.PrefixAndHeader;
        FrameFormat.WriteHeader(w.SpanAt(header, FrameFormat.PrefixAndHeader), FrameFormat.FixedHeader + payload, FrameKind.Handshake, 1, 0, 0, payload);
        await stream.WriteAsync(w.WrittenMemory);

        using var reader = new FrameReader(stream, PinnedBufferPool.Shared);
        var h = await reader.ReadHeaderAsync(FrameFormat.MaxHandshakeFrame, CancellationToken.None) ?? throw new Xunit.Sdk.XunitException("no answer");
        var body = await reader.ReadBodyAsync(h.PayloadLength, CancellationToken.None);
        return (h.TypeId, h.TypeId == 5 ? ReadReason(body.Span) : null, body.ToArray());
    }

    private static string ReadReason(ReadOnlySpan<byte> body)
    {
        var r = new MessageReader(body);
        return r.ReadRequiredString();
    }

    [Fact]
    public async Task A_protocol_version_mismatch_is_refused_with_a_clear_reason_on_both_sides()
    {
        var (node, h) = TestTransports.Start("sys");
        await using (node)
        {
            var (step, reason, _) = await HelloAsync(node.LocalAddress, version: (ushort)(Handshake.ProtocolVersion + 1), "sys");
            Assert.Equal(5, step); // Reject
            Assert.Contains("protocol version mismatch", reason);
            Assert.Contains($"v{Handshake.ProtocolVersion + 1}", reason);
            await Poll.UntilAsync(() => h.Refusals.Any(r => r.Reason.Contains("protocol version mismatch")), "the node logs the refusal");
        }
    }

    [Fact]
    public async Task A_correct_hello_gets_a_challenge_and_the_secret_is_never_on_the_wire()
    {
        var (node, _) = TestTransports.Start("sys");
        await using (node)
        {
            var (step, _, body) = await HelloAsync(node.LocalAddress, Handshake.ProtocolVersion, "sys");
            Assert.Equal(2, step); // Challenge: the node proves itself with an HMAC, not the secret
            byte[] secret = System.Text.Encoding.UTF8.GetBytes(TestTransports.Secret);
            Assert.True(body.AsSpan().IndexOf(secret) < 0, "the challenge must not contain the secret");
            Assert.True(body.Length >= 32 + 32, "the challenge carries a nonce and a 32-byte HMAC");
        }
    }

    [Fact]
    public async Task A_hello_for_another_system_is_refused()
    {
        var (node, _) = TestTransports.Start("sys");
        await using (node)
        {
            var (step, reason, _) = await HelloAsync(node.LocalAddress, Handshake.ProtocolVersion, "other");
            Assert.Equal(5, step);
            Assert.Contains("expected actor system 'other'", reason);
        }
    }
}

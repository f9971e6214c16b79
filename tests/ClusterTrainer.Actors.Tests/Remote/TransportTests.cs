using System.Buffers.Binary;
using System.Security.Cryptography;
using ClusterTrainer.Actors.Remote;
using ClusterTrainer.Actors.Remote.Transport;
using ClusterTrainer.Actors.Serialization;
using Xunit;

namespace ClusterTrainer.Actors.Tests.Remote;

public sealed class TransportTests
{
    [Fact]
    public async Task Messages_flow_both_ways_and_keep_their_order()
    {
        var (a, ha) = TestTransports.Start("sysA");
        var (b, hb) = TestTransports.Start("sysB");
        await using (a) await using (b)
        {
            for (int i = 0; i < 10_000; i++) Assert.True(a.Send(b.LocalAddress, "/user/sink", "/user/src", new Ping(i)));
            b.Send(a.LocalAddress, "/user/back", null, new Pong(7, "héllo"));

            await Poll.UntilAsync(() => hb.Messages.Count == 10_000, "10,000 pings at B");
            await Poll.UntilAsync(() => ha.Messages.Count == 1, "the pong at A");
            int expected = 0;
            foreach (var m in hb.Messages)
            {
                Assert.Equal(a.LocalAddress, m.From);
                Assert.Equal("/user/sink", m.Recipient);
                Assert.Equal("/user/src", m.Sender);
                Assert.Equal(new Ping(expected++), m.Message);
            }
            Assert.True(ha.Messages.TryPeek(out var pong));
            Assert.Equal(new Pong(7, "héllo"), pong.Message);
            Assert.Null(pong.Sender);
            Assert.Contains(ha.Events, e => e is AssociatedEvent { Remote: var r } && r == b.LocalAddress);
            Assert.True(a.Counters.FramesOut >= 10_000);
            Assert.Equal(10_000, b.Counters.FramesIn);
        }
    }

    [Fact]
    public async Task Wrong_secret_is_refused_on_both_sides_and_nothing_is_delivered()
    {
        var (good, hGood) = TestTransports.Start("sys");
        var (bad, hBad) = TestTransports.Start("sys", new RemoteSettings { Secret = "not-the-secret" });
        await using (good) await using (bad)
        {
            bad.Send(good.LocalAddress, "/user/x", null, new Ping(1));
            good.Send(bad.LocalAddress, "/user/x", null, new Ping(2));

            await Poll.UntilAsync(() => hGood.Refusals.Count >= 2 && hBad.Refusals.Count >= 2, "refusals logged on both sides");
            Assert.Contains(hGood.Logs, l => l.Contains("could not prove it holds the cluster secret") && l.Contains("refused inbound connection from 127.0.0.1"));
            Assert.Contains(hBad.Logs, l => l.Contains("could not prove it holds the cluster secret"));
            Assert.True(good.Counters.HandshakesRefused >= 2);
            Assert.True(bad.Counters.HandshakesRefused >= 2);
            Assert.Empty(hGood.Messages);
            Assert.Empty(hBad.Messages);
            Assert.Equal(0, good.Counters.FramesIn);
            Assert.Equal(0, bad.Counters.FramesIn);
        }
    }

    [Fact]
    public async Task Dialing_the_wrong_system_name_is_refused_with_a_clear_reason()
    {
        var (a, ha) = TestTransports.Start("sysA");
        var (b, _) = TestTransports.Start("sysB");
        await using (a) await using (b)
        {
            var wrong = b.LocalAddress with { System = "other" };
            a.Send(wrong, "/user/x", null, new Ping(1));
            await Poll.UntilAsync(() => ha.Refusals.Any(r => r.Reason.Contains("'other'") && r.Reason.Contains("'sysB'")), "system-name refusal");
        }
    }

    [Fact]
    public async Task A_64_MiB_tensor_arrives_intact_in_a_pooled_buffer()
    {
        var (a, _) = TestTransports.Start("sysA");
        var (b, hb) = TestTransports.Start("sysB");
        await using (a) await using (b)
        {
            byte[] data = GC.AllocateUninitializedArray<byte>(64 * 1024 * 1024, pinned: true);
            new Random(42).NextBytes(data);
            byte[] sent = SHA256.HashData(data);
            a.Send(b.LocalAddress, "/user/ps", null, new TensorPayload("w", 3, TensorDType.Float32, [16 * 1024 * 1024], data));

            await Poll.UntilAsync(() => hb.Messages.Count == 1, "the tensor at B", 60_000);
            Assert.True(hb.Messages.TryDequeue(out var m));
            using var t = Assert.IsType<TensorPayload>(m.Message);
            Assert.Equal(("w", 3L, TensorDType.Float32), (t.Name, t.Version, t.DType));
            Assert.Equal([16 * 1024 * 1024], t.Shape);
            Assert.NotNull(t.Lease);
            Assert.Equal(sent, SHA256.HashData(t.Data.Span));
        }
    }

    [Fact]
    public async Task An_unknown_type_id_drops_the_connection_with_a_logged_reason()
    {
        var (node, h) = TestTransports.Start("sys");
        await using (node)
        {
            var (_, stream) = await TestTransports.DialRawAsync(node.LocalAddress);
            byte[] recipient = "/user/x"u8.ToArray();
            byte[] frame = new byte[FrameFormat.PrefixAndHeader + recipient.Length + 4];
            FrameFormat.WriteHeader(frame, frame.Length - 4, FrameKind.Message, 65000, recipient.Length, 0, 4);
            recipient.CopyTo(frame, FrameFormat.PrefixAndHeader);
            await stream.WriteAsync(frame);

            Assert.True(await TestTransports.ClosedByPeerAsync(stream), "the node should close the connection");
            await Poll.UntilAsync(() => node.Counters.ConnectionsDropped == 1, "the dropped-connection counter");
            Assert.Contains(h.Logs, l => l.Contains("dropping connection") && l.Contains("65000 is not on the serialization allow-list"));
            Assert.Empty(h.Messages);
        }
    }

    [Fact]
    public async Task A_huge_length_prefix_is_refused_without_allocating_it()
    {
        var (node, h) = TestTransports.Start("sys");
        await using (node)
        {
            var (_, stream) = await TestTransports.DialRawAsync(node.LocalAddress);
            byte[] frame = new byte[FrameFormat.PrefixAndHeader];
            FrameFormat.WriteHeader(frame, 0, FrameKind.Message, TypeIds.String, 1, 0, 0);
            BinaryPrimitives.WriteInt32LittleEndian(frame, int.MaxValue);
            await stream.WriteAsync(frame);
            Assert.True(await TestTransports.ClosedByPeerAsync(stream));
            await Poll.UntilAsync(() => h.Logs.Any(l => l.Contains("exceeds the maximum frame size")), "oversize reason logged");
        }
    }

    [Fact]
    public async Task Blackhole_drops_traffic_and_pass_through_restores_it()
    {
        var (a, ha) = TestTransports.Start("sysA");
        var (b, hb) = TestTransports.Start("sysB");
        await using (a) await using (b)
        {
            a.Send(b.LocalAddress, "/user/x", null, new Ping(0));
            await Poll.UntilAsync(() => hb.Messages.Count == 1, "first ping");
            a.SetFault(b.LocalAddress, FaultMode.Blackhole);
            a.Send(b.LocalAddress, "/user/x", null, new Ping(1));
            await Poll.UntilAsync(() => ha.Undelivered.Any(u => u.Reason.Contains("blackholed")), "the blackholed ping reported undelivered");
            a.SetFault(b.LocalAddress, FaultMode.PassThrough);
            a.Send(b.LocalAddress, "/user/x", null, new Ping(2));
            await Poll.UntilAsync(() => hb.Messages.Count == 2, "the ping after pass-through");
            Assert.Equal([new Ping(0), new Ping(2)], hb.Messages.Select(m => m.Message));
        }
    }

    [Fact]
    public async Task Disconnect_resets_the_association_which_reconnects_after_pass_through()
    {
        var (a, ha) = TestTransports.Start("sysA", new RemoteSettings { Secret = TestTransports.Secret, ReconnectBackoffMax = TimeSpan.FromMilliseconds(300) });
        var (b, hb) = TestTransports.Start("sysB");
        await using (a) await using (b)
        {
            a.Send(b.LocalAddress, "/user/x", null, new Ping(0));
            await Poll.UntilAsync(() => hb.Messages.Count == 1, "first ping");
            a.SetFault(b.LocalAddress, FaultMode.Disconnect);
            await Poll.UntilAsync(() => ha.Events.Any(e => e is DisassociatedEvent), "disassociated event");
            Assert.False(a.IsAssociated(b.LocalAddress));
            a.Send(b.LocalAddress, "/user/x", null, new Ping(1)); // queued while disconnected
            a.SetFault(b.LocalAddress, FaultMode.PassThrough);
            await Poll.UntilAsync(() => hb.Messages.Count == 2, "ping after reconnect");
            Assert.Equal(2, ha.Events.Count(e => e is AssociatedEvent));
        }
    }

    [Fact]
    public async Task Throttled_traffic_still_arrives_in_order()
    {
        var (a, _) = TestTransports.Start("sysA");
        var (b, hb) = TestTransports.Start("sysB");
        await using (a) await using (b)
        {
            a.SetFault(b.LocalAddress, FaultMode.Throttle, throttleBytesPerSecond: 200_000);
            for (int i = 0; i < 100; i++) a.Send(b.LocalAddress, "/user/x", null, new Ping(i));
            await Poll.UntilAsync(() => hb.Messages.Count == 100, "throttled pings");
            Assert.Equal(Enumerable.Range(0, 100).Select(i => new Ping(i)), hb.Messages.Select(m => (Ping)m.Message));
        }
    }

    [Fact]
    public async Task Quarantine_refuses_further_traffic_and_publishes_an_event()
    {
        var (a, ha) = TestTransports.Start("sysA");
        var (b, _) = TestTransports.Start("sysB");
        await using (a) await using (b)
        {
            await a.QuarantineAsync(b.LocalAddress, "declared dead by the test");
            Assert.Contains(ha.Events, e => e is QuarantinedEvent q && q.Remote == b.LocalAddress);
            Assert.False(a.Send(b.LocalAddress, "/user/x", null, new Ping(1)));
            Assert.Contains(ha.Undelivered, u => u.Reason.Contains("quarantined"));
        }
    }

    [Fact]
    public async Task Unregistered_message_types_are_not_sent_and_say_how_to_fix_it()
    {
        var (a, ha) = TestTransports.Start("sysA");
        var (b, hb) = TestTransports.Start("sysB");
        await using (a) await using (b)
        {
            a.Send(b.LocalAddress, "/user/x", null, new Uri("http://example.invalid"));
            a.Send(b.LocalAddress, "/user/x", null, new Ping(5));
            await Poll.UntilAsync(() => hb.Messages.Count == 1, "the registered message");
            Assert.Contains(ha.Undelivered, u => u.Reason.Contains("not registered for remoting") && u.Reason.Contains("SerializationRegistry.Register"));
        }
    }

    [Fact]
    public void Settings_errors_name_the_setting()
    {
        var e = Assert.Throws<ArgumentException>(() => new RemoteSettings { Secret = "" }.Validate());
        Assert.Contains("Secret", e.Message);
        e = Assert.Throws<ArgumentException>(() => new RemoteSettings { Secret = "s", MaxFrameSize = 10 }.Validate());
        Assert.Contains("MaxFrameSize", e.Message);
    }

    [Fact]
    public async Task An_unreachable_address_is_quarantined_after_the_configured_failed_attempts()
    {
        var (a, ha) = TestTransports.Start("sysA", new RemoteSettings
        {
            Secret = TestTransports.Secret,
            QuarantineAfterFailedAttempts = 3,
            ReconnectBackoffMin = TimeSpan.FromMilliseconds(10),
            ReconnectBackoffMax = TimeSpan.FromMilliseconds(50),
        });
        await using (a)
        {
            // A port that was just free: nothing listens there.
            var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            probe.Start();
            int port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var dead = new NodeAddress("gone", "127.0.0.1", port);
            a.Send(dead, "/user/x", null, new Ping(1));
            await Poll.UntilAsync(() => ha.Events.Any(e => e is QuarantinedEvent q && q.Remote == dead), "quarantine after 3 failed attempts");
            Assert.True(a.IsQuarantined(dead));
            await Poll.UntilAsync(() => ha.Undelivered.Any(u => u.Message is Ping), "the queued ping reported undelivered");
        }
    }

    [Fact]
    public void Binding_all_interfaces_requires_a_public_host()
    {
        var e = Assert.Throws<ArgumentException>(() => new RemoteSettings { Secret = "s", Host = "0.0.0.0" }.Validate());
        Assert.Contains("PublicHost", e.Message);
        new RemoteSettings { Secret = "s", Host = "0.0.0.0", PublicHost = "node-1.trainer.svc" }.Validate();
    }

    [Fact]
    public async Task Connections_over_the_inbound_limit_are_refused_at_accept()
    {
        var (node, h) = TestTransports.Start("sys", new RemoteSettings { Secret = TestTransports.Secret, MaxInboundConnections = 2 });
        await using (node)
        {
            var (_, s1) = await TestTransports.DialRawAsync(node.LocalAddress, handshake: false);
            var (_, s2) = await TestTransports.DialRawAsync(node.LocalAddress, handshake: false);
            await Poll.UntilAsync(() => node.Counters.InboundConnections == 2, "two connections accepted");
            bool closed;
            try
            {
                var (_, s3) = await TestTransports.DialRawAsync(node.LocalAddress, handshake: false);
                closed = await TestTransports.ClosedByPeerAsync(s3);
            }
            catch (System.Net.Sockets.SocketException) { closed = true; } // reset while connecting: refused as well
            Assert.True(closed, "the third connection must be closed");
            Assert.Contains(h.Refusals, r => r.Reason.Contains("MaxInboundConnections = 2"));
            s1.Dispose(); s2.Dispose();
            // Slots free up once connections end (here: EOF during the handshake): a real peer gets in again.
            bool admitted = false;
            await Poll.UntilAsync(() =>
            {
                try
                {
                    var (_, stream) = TestTransports.DialRawAsync(node.LocalAddress).GetAwaiter().GetResult();
                    stream.Dispose();
                    admitted = true;
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or HandshakeException) { }
                return admitted;
            }, "a new connection admitted after the others closed");
        }
    }

    [Fact]
    public async Task Pooled_tensor_buffers_go_back_to_their_pools_on_both_sides()
    {
        var senderPool = new Actors.Buffers.PinnedBufferPool(4096, 128 * 1024 * 1024, 4);
        var receiverPool = new Actors.Buffers.PinnedBufferPool(4096, 128 * 1024 * 1024, 4);
        var (a, _) = TestTransports.Start("sysA", new RemoteSettings { Secret = TestTransports.Secret, BufferPool = senderPool });
        var (b, hb) = TestTransports.Start("sysB", new RemoteSettings { Secret = TestTransports.Secret, BufferPool = receiverPool });
        await using (a) await using (b)
        {
            var lease = senderPool.Rent(1 << 20);
            lease.Span.Fill(7);
            long before = senderPool.OutstandingCount;
            a.Send(b.LocalAddress, "/user/ps", null, TensorPayload.FromPooled("w", 1, TensorDType.Float32, [1 << 18], lease));
            await Poll.UntilAsync(() => hb.Messages.Count == 1, "the tensor at B");
            await Poll.UntilAsync(() => senderPool.OutstandingCount == before - 1, "remoting returned the sender's buffer after writing it");
            Assert.True(lease.IsDisposed);
            var received = (TensorPayload)hb.Messages.Single().Message;
            Assert.True(received.Data.Span.IndexOfAnyExcept((byte)7) < 0);
            long out1 = receiverPool.OutstandingCount;
            received.Dispose();
            Assert.Equal(out1 - 1, receiverPool.OutstandingCount);
            Assert.Equal(0, senderPool.DoubleReturnCount + receiverPool.DoubleReturnCount);
        }
    }
}

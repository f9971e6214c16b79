using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ClusterTrainer.Bench.Cluster;

/// <summary>
/// Part 2's baseline: two processes and one plain loopback TCP connection, each side sending BYTES while it
/// receives BYTES (full duplex, large buffers, no framing, no copies). Node side of the line protocol:
/// <c>node raw-ps BYTES</c> prints <c>port N</c>; <c>node raw-worker BYTES PORT</c> prints
/// <c>result bytes_per_s=.. bytes=.. seconds=..</c> counting both directions.
/// </summary>
internal static class RawSocketNodes
{
    public const string Ps = "raw-ps", Worker = "raw-worker";
    private const int BufferBytes = 16 << 20;

    public static int RunPs(string[] a)
    {
        long bytes = long.Parse(a[0], CultureInfo.InvariantCulture);
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        NodeHost.Say($"port {((IPEndPoint)listener.LocalEndPoint!).Port}");
        using var socket = listener.Accept();
        socket.NoDelay = true;
        StartSignal(socket, send: false);
        DuplexAsync(socket, bytes).GetAwaiter().GetResult();
        NodeHost.WaitForStdinClose();
        return 0;
    }

    public static int RunWorker(string[] a)
    {
        long bytes = long.Parse(a[0], CultureInfo.InvariantCulture);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(new IPEndPoint(IPAddress.Loopback, int.Parse(a[1], CultureInfo.InvariantCulture)));
        StartSignal(socket, send: true);
        var clock = Stopwatch.StartNew();
        DuplexAsync(socket, bytes).GetAwaiter().GetResult();
        double seconds = clock.Elapsed.TotalSeconds;
        NodeHost.Say(string.Create(CultureInfo.InvariantCulture,
            $"result bytes_per_s={2 * bytes / seconds:0} bytes={2 * bytes} seconds={seconds:0.000}"));
        NodeHost.WaitForStdinClose();
        return 0;
    }

    /// <summary>One byte each way, so both sides start streaming at the same moment.</summary>
    private static void StartSignal(Socket socket, bool send)
    {
        Span<byte> one = stackalloc byte[1];
        if (send) socket.Send(one);
        if (socket.Receive(one) != 1) throw new IOException("the peer closed the connection before the start signal");
        if (!send) socket.Send(one);
    }

    private static Task DuplexAsync(Socket socket, long bytes)
    {
        var outgoing = GC.AllocateUninitializedArray<byte>(BufferBytes, pinned: true);
        var incoming = GC.AllocateUninitializedArray<byte>(BufferBytes, pinned: true);
        new Random(1).NextBytes(outgoing);
        return Task.WhenAll(Task.Run(() => SendAsync(socket, outgoing, bytes)), Task.Run(() => ReceiveAsync(socket, incoming, bytes)));
    }

    private static async Task SendAsync(Socket socket, byte[] buffer, long bytes)
    {
        for (long left = bytes; left > 0;)
            left -= await socket.SendAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), SocketFlags.None);
    }

    private static async Task ReceiveAsync(Socket socket, byte[] buffer, long bytes)
    {
        for (long left = bytes; left > 0;)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), SocketFlags.None);
            if (n == 0) throw new IOException($"the peer closed the connection with {left} bytes still to come");
            left -= n;
        }
    }
}

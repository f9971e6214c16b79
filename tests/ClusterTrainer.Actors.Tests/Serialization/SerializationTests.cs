using ClusterTrainer.Actors.Serialization;
using ClusterTrainer.Actors.Tests.Remote;
using Xunit;

namespace ClusterTrainer.Actors.Tests.Serialization;

public sealed class SerializationTests
{
    private sealed record Job(int Id, long Step, string Name, int[] Dims, string[] Tags);

    private static SerializationRegistry Registry()
    {
        var r = SerializationRegistry.CreateDefault();
        r.Register<Job>(10010,
            (w, m) => { w.WriteInt32(m.Id); w.WriteInt64(m.Step); w.WriteString(m.Name); w.WriteInt32Array(m.Dims); w.WriteStringArray(m.Tags); },
            (ref MessageReader rd) => new Job(rd.ReadInt32(), rd.ReadInt64(), rd.ReadRequiredString(), rd.ReadInt32Array(), rd.ReadStringArray()));
        return r;
    }

    private static (ushort Id, byte[] Bytes) Encode(SerializationRegistry r, object m)
    {
        var w = new MessageWriter(16);
        ushort id = r.Serialize(w, m);
        return (id, w.WrittenSpan.ToArray());
    }

    [Fact]
    public void Records_and_primitives_round_trip()
    {
        var r = Registry();
        var job = new Job(7, 1L << 40, "fashion-ünï", [3, 28, 28], ["a", ""]);
        var (id, bytes) = Encode(r, job);
        Assert.Equal(10010, id);
        var back = (Job)r.Deserialize(id, bytes);
        Assert.Equal((job.Id, job.Step, job.Name), (back.Id, back.Step, back.Name));
        Assert.Equal(job.Dims, back.Dims);
        Assert.Equal(job.Tags, back.Tags);
        foreach (object p in new object[] { "text", 42, 42L, true, 2.5, new byte[] { 1, 2, 3 } })
        {
            var (pid, pb) = Encode(r, p);
            Assert.Equal(p, r.Deserialize(pid, pb));
        }
    }

    [Fact]
    public void Every_truncation_of_a_valid_payload_is_refused_not_crashed()
    {
        var r = Registry();
        var (id, bytes) = Encode(r, new Job(1, 2, "name", [1, 2, 3], ["x", "y"]));
        for (int n = 0; n < bytes.Length; n++)
            Assert.Throws<FrameFormatException>(() => r.Deserialize(id, bytes.AsSpan(0, n)));
    }

    [Fact]
    public void Lying_lengths_are_refused_before_allocating()
    {
        var r = Registry();
        var w = new MessageWriter();
        w.WriteInt32(int.MaxValue); // a string claiming 2 GiB
        var e = Assert.Throws<FrameFormatException>(() => r.Deserialize(TypeIds.String, w.WrittenSpan));
        Assert.Contains("claims 2147483647 bytes", e.Message);
        w.Reset();
        w.WriteInt32(1); w.WriteInt64(1); w.WriteString("n"); w.WriteInt32(500_000_000); // array of 500M ints
        e = Assert.Throws<FrameFormatException>(() => r.Deserialize(10010, w.WrittenSpan));
        Assert.Contains("500000000 elements", e.Message);
    }

    [Fact]
    public void Unknown_ids_trailing_bytes_and_bad_utf8_are_refused()
    {
        var r = Registry();
        Assert.Contains("not on the serialization allow-list", Assert.Throws<FrameFormatException>(() => r.Deserialize(4242, [])).Message);
        Assert.Contains("unread bytes", Assert.Throws<FrameFormatException>(() => r.Deserialize(TypeIds.Int32, [1, 0, 0, 0, 9])).Message);
        Assert.Contains("UTF-8", Assert.Throws<FrameFormatException>(() => r.Deserialize(TypeIds.String, [2, 0, 0, 0, 0xC3, 0x28])).Message);
        Assert.Throws<FrameFormatException>(() => r.Deserialize(TypeIds.Bool, [7]));
    }

    [Fact]
    public void Registration_conflicts_and_late_registration_are_clear_errors()
    {
        var r = Registry();
        var dup = Assert.Throws<ArgumentException>(() => r.Register<Ping>(10010, (w, m) => { }, (ref MessageReader rd) => new Ping(0)));
        Assert.Contains("already taken by", dup.Message);
        Assert.Throws<ArgumentException>(() => r.Register<Ping>(TypeIds.Invalid, (w, m) => { }, (ref MessageReader rd) => new Ping(0)));
        r.Register<Ping>(10020, (w, m) => w.WriteInt32(m.N), (ref MessageReader rd) => new Ping(rd.ReadInt32()));
        r.Register<Ping>(10020, (w, m) => w.WriteInt32(m.N), (ref MessageReader rd) => new Ping(rd.ReadInt32())); // same pair again: no-op
        Assert.Contains("already registered with id 10020", Assert.Throws<ArgumentException>(() => r.Register<Ping>(10021, (w, m) => { }, (ref MessageReader rd) => new Ping(0))).Message);
        r.Freeze();
        var late = Assert.Throws<InvalidOperationException>(() => r.Register<Pong>(10022, (w, m) => { }, (ref MessageReader rd) => new Pong(0, "")));
        Assert.Contains("frozen", late.Message);
        Assert.Contains("not registered for remoting", Assert.Throws<InvalidOperationException>(() => Encode(r, new Uri("http://x.invalid"))).Message);
    }

    [Fact]
    public void Tensor_payload_checks_its_shape_against_its_bytes()
    {
        var e = Assert.Throws<ArgumentException>(() => new TensorPayload("w", 0, TensorDType.Float32, [2, 3], new byte[20]));
        Assert.Contains("24 bytes", e.Message);
        var ok = new TensorPayload("w", 0, TensorDType.BFloat16, [2, 3], new byte[12]);
        Assert.Null(ok.Lease);
        Assert.Throws<InvalidOperationException>(() => ok.AsFloats().Length);
    }
}

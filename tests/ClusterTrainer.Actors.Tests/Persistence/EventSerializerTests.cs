using ClusterTrainer.Actors.Persistence;
using ClusterTrainer.Actors.Serialization;
using Xunit;

namespace ClusterTrainer.Actors.Tests.Persistence;

public sealed class EventSerializerTests
{
    private const ushort AddedId = 10_601;

    public static TheoryData<string> Serializers => new() { "json", "registry" };

    [Theory]
    [MemberData(nameof(Serializers))]
    public void A_registered_event_round_trips(string kind)
    {
        var serializer = Create(kind);

        var (manifest, payload) = serializer.Serialize(new Added(42));

        Assert.Equal(new Added(42), serializer.Deserialize(manifest, payload));
    }

    [Theory]
    [MemberData(nameof(Serializers))]
    public void An_unregistered_type_is_rejected_with_the_fix(string kind)
    {
        var error = Assert.Throws<PersistenceRejectedException>(() => Create(kind).Serialize(new NotRegistered(1)));

        Assert.Contains("NotRegistered", error.Message);
        Assert.Contains("Register", error.Message);
    }

    [Theory]
    [MemberData(nameof(Serializers))]
    public void An_unknown_stored_manifest_is_refused_not_resolved(string kind)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Create(kind).Deserialize("9999", [1, 2, 3]));
        Assert.Contains("9999", error.Message);
        var typeName = Assert.Throws<InvalidOperationException>(() => Create(kind).Deserialize(typeof(NotRegistered).FullName!, [1]));
        Assert.Contains(typeof(NotRegistered).FullName!, typeName.Message);
    }

    [Fact]
    public void The_registry_manifest_is_the_stable_type_id()
    {
        Assert.Equal("10601", Create("registry").Serialize(new Added(1)).Manifest);
        Assert.Equal("ledger.added", Create("json").Serialize(new Added(1)).Manifest);
    }

    [Fact]
    public void A_json_manifest_cannot_be_given_to_two_types()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new JsonEventSerializer().Register<Added>("same").Register<LedgerSnapshot>("same"));
        Assert.Contains("'same'", error.Message);
    }

    public static IEventSerializer Create(string kind) => kind switch
    {
        "json" => Ledger.Serializer(),
        _ => new RegistryEventSerializer(RegistryWithLedgerTypes()),
    };

    public static SerializationRegistry RegistryWithLedgerTypes() =>
        SerializationRegistry.CreateDefault()
            .Register<Added>(AddedId, (w, m) => w.WriteInt32(m.Amount), (ref MessageReader r) => new Added(r.ReadInt32()))
            .Register<LedgerSnapshot>(AddedId + 1, (w, m) =>
            {
                w.WriteInt32(m.Total);
                w.WriteInt32(m.EventsSeen);
            }, (ref MessageReader r) => new LedgerSnapshot(r.ReadInt32(), r.ReadInt32()));
}

using ClusterTrainer.Actors.Cluster;
using ClusterTrainer.Actors.Serialization;

namespace ClusterTrainer.Actors.Singleton;

/// <summary>Wire ids 400-401 (sharding/singleton range) for the hand-over protocol between managers.</summary>
public static class SingletonCodecs
{
    public const ushort HandOverToMeId = 400, HandOverDoneId = 401;

    public static void Register(SerializationRegistry registry)
    {
        if (registry.FindById(HandOverToMeId) is not null) return;
        registry.Register<HandOverToMe>(HandOverToMeId, (w, m) => ClusterCodecs.WriteUnique(w, m.From),
            (ref MessageReader r) => new HandOverToMe(ClusterCodecs.ReadUnique(ref r)));
        registry.Register<HandOverDone>(HandOverDoneId, (w, m) => ClusterCodecs.WriteUnique(w, m.From),
            (ref MessageReader r) => new HandOverDone(ClusterCodecs.ReadUnique(ref r)));
    }
}

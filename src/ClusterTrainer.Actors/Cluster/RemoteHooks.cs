using ClusterTrainer.Actors.Remote;
namespace ClusterTrainer.Actors.Cluster;
internal static class RemoteHooks
{
    public static void AddressTerminated(ActorSystem system, NodeAddress address) { }
}

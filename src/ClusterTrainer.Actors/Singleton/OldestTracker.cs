using ClusterTrainer.Actors.Remote;
using ClusterTrainer.Actors.Cluster;

namespace ClusterTrainer.Actors.Singleton;

/// <summary>
/// Follows member events and answers "which member should host the singleton": the oldest Up member
/// (lowest up-number) with the role. A Leaving member no longer qualifies, so a leaving oldest hands
/// over while it is still alive. Separately it remembers which members are not yet removed: a new
/// oldest must not start the singleton while the previous host may still run it (it is only safe
/// once that host handed over or was removed from the cluster).
/// </summary>
public sealed class OldestTracker(string? role)
{
    private readonly Dictionary<UniqueAddress, Member> _candidates = new();
    private readonly HashSet<UniqueAddress> _notRemoved = [];

    public Member? Oldest => _candidates.Values.Count == 0 ? null : _candidates.Values.Aggregate((a, b) => a.IsOlderThan(b) ? a : b);

    public bool IsRemoved(UniqueAddress node) => !_notRemoved.Contains(node);

    public void Apply(CurrentClusterState state)
    {
        _candidates.Clear();
        _notRemoved.Clear();
        foreach (var m in state.Members) Apply(m);
    }

    public void Apply(IMemberEvent e)
    {
        if (e is MemberRemoved r)
        {
            _candidates.Remove(r.Member.UniqueAddress);
            _notRemoved.Remove(r.Member.UniqueAddress);
            return;
        }
        Apply(e.Member);
    }

    private void Apply(Member m)
    {
        if (m.Status != MemberStatus.Removed) _notRemoved.Add(m.UniqueAddress);
        if (m.Status == MemberStatus.Up && m.HasRole(role)) _candidates[m.UniqueAddress] = m;
        else _candidates.Remove(m.UniqueAddress);
    }
}

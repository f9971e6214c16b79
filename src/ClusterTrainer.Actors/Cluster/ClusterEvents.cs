using ClusterTrainer.Actors.Remote;
using System.Collections.Immutable;

namespace ClusterTrainer.Actors.Cluster;

public interface IClusterDomainEvent;

/// <summary>A member changed status; subscribe with <c>typeof(IMemberEvent)</c> to get all of them.</summary>
public interface IMemberEvent : IClusterDomainEvent
{
    Member Member { get; }
}

public sealed record MemberJoined(Member Member) : IMemberEvent;
public sealed record MemberUp(Member Member) : IMemberEvent;
public sealed record MemberLeft(Member Member) : IMemberEvent;
public sealed record MemberExited(Member Member) : IMemberEvent;
public sealed record MemberDowned(Member Member) : IMemberEvent;
public sealed record MemberRemoved(Member Member, MemberStatus PreviousStatus) : IMemberEvent;

public interface IReachabilityEvent : IClusterDomainEvent
{
    Member Member { get; }
}

public sealed record UnreachableMember(Member Member) : IReachabilityEvent;
public sealed record ReachableMember(Member Member) : IReachabilityEvent;

public sealed record LeaderChanged(NodeAddress? Leader) : IClusterDomainEvent;

/// <summary>Published to a node whose own member was downed (by an operator or the split-brain resolver).</summary>
public sealed record SelfDowned(Member Member) : IClusterDomainEvent;

/// <summary>A snapshot of the membership view, sent to new subscribers that ask for the initial state as a snapshot.</summary>
public sealed record CurrentClusterState(
    ImmutableList<Member> Members, ImmutableList<Member> Unreachable, NodeAddress? Leader) : IClusterDomainEvent;

/// <summary>Computes the events between two views of the gossip, as seen from one node.</summary>
public static class ClusterEventDiff
{
    public static CurrentClusterState State(Gossip g, UniqueAddress self) =>
        new(g.Members.Values.ToImmutableList(), g.UnreachableMembers.Where(m => m.UniqueAddress != self).ToImmutableList(),
            g.LeaderOf(self)?.Address);

    public static List<IClusterDomainEvent> Diff(Gossip before, Gossip after, UniqueAddress self)
    {
        var events = new List<IClusterDomainEvent>();
        // Oldest first: a subscriber that picks "the oldest Up member" (the singleton) never sees a
        // younger member Up before an older one that came up in the same change.
        foreach (var m in after.Members.Values.OrderBy(m => m.UpNumber).ThenBy(m => m.UniqueAddress))
        {
            var old = before.GetMember(m.UniqueAddress);
            if (old is not null && old.Status == m.Status) continue;
            events.Add(m.Status switch
            {
                MemberStatus.Joining => new MemberJoined(m),
                MemberStatus.Up => new MemberUp(m),
                MemberStatus.Leaving => new MemberLeft(m),
                MemberStatus.Exiting => new MemberExited(m),
                MemberStatus.Down => new MemberDowned(m),
                _ => new MemberRemoved(m, old?.Status ?? m.Status),
            });
            if (m.Status == MemberStatus.Down && m.UniqueAddress == self) events.Add(new SelfDowned(m));
        }
        foreach (var old in before.Members.Values)
            if (!after.HasMember(old.UniqueAddress))
                events.Add(new MemberRemoved(old with { Status = MemberStatus.Removed }, old.Status));

        foreach (var m in after.Members.Values)
        {
            if (m.UniqueAddress == self) continue;
            var wasReachable = !before.HasMember(m.UniqueAddress) || before.IsReachable(m.UniqueAddress);
            var isReachable = after.IsReachable(m.UniqueAddress);
            if (wasReachable && !isReachable) events.Add(new UnreachableMember(m));
            else if (!wasReachable && isReachable) events.Add(new ReachableMember(m));
        }

        var leaderBefore = before.LeaderOf(self)?.Address;
        var leaderAfter = after.LeaderOf(self)?.Address;
        if (leaderBefore != leaderAfter) events.Add(new LeaderChanged(leaderAfter));
        return events;
    }
}

namespace ClusterTrainer.Actors.Cluster;

public sealed partial class ClusterEngine
{
    /// <summary>
    /// Drives the periodic work; call it often (every 50-100 ms). Each task runs at its own interval:
    /// join retries, heartbeats, the unreachable reaper, gossip, leader actions and split-brain downing.
    /// </summary>
    public void Tick(double nowMs)
    {
        switch (_phase)
        {
            case Phase.Seeking:
                Seek(nowMs);
                return;
            case Phase.Joining:
                if (nowMs - _phaseSinceMs >= _settings.RetryUnsuccessfulJoinAfter.TotalMilliseconds)
                {
                    if (_seeds.Count > 0) { Enter(Phase.Seeking, nowMs); _lastSeekMs = double.MinValue; Seek(nowMs); }
                    else if (_joinTarget is { } t) { Enter(Phase.Joining, nowMs); _outbox.Send(t, new Join(Self, Roles)); }
                }
                return;
            case Phase.Member:
                break;
            default:
                return;
        }

        if (Due(ref _lastHeartbeatMs, _settings.HeartbeatInterval, nowMs)) SendHeartbeats(nowMs);
        if (Due(ref _lastReaperMs, _settings.UnreachableReaperInterval, nowMs)) ReapUnreachable(nowMs);
        if (Due(ref _lastLeaderMs, _settings.LeaderActionsInterval, nowMs))
        {
            LeaderActions();
            ResolveSplitBrain(nowMs);
        }
        if (_phase == Phase.Member && Due(ref _lastGossipMs, _settings.GossipInterval, nowMs)) GossipToOne();
    }

    private static bool Due(ref double last, TimeSpan interval, double nowMs)
    {
        if (nowMs - last < interval.TotalMilliseconds) return false;
        last = nowMs;
        return true;
    }

    private IEnumerable<Member> Others => Gossip.Members.Values.Where(m => m.UniqueAddress != Self);

    private void SendHeartbeats(double nowMs)
    {
        var targets = Others.Where(m => m.Status is not (MemberStatus.Down or MemberStatus.Removed)).ToList();
        foreach (var m in targets)
        {
            if (!_detectors.ContainsKey(m.UniqueAddress))
            {
                // Start the clock now, so a node that never answers is still detected.
                var fd = new PhiAccrualFailureDetector(_settings.FailureDetector);
                fd.HeartBeat(nowMs);
                _detectors[m.UniqueAddress] = fd;
            }
            _outbox.Send(m.Address, new Heartbeat(Self, ++_heartbeatSeq));
        }
        foreach (var gone in _detectors.Keys.Where(k => !targets.Any(t => t.UniqueAddress == k)).ToList())
            _detectors.Remove(gone);
    }

    private void ReapUnreachable(double nowMs)
    {
        var reachability = Gossip.Reachability;
        foreach (var (node, fd) in _detectors)
            reachability = fd.IsAvailable(nowMs) ? reachability.Reachable(Self, node) : reachability.Unreachable(Self, node);
        Update(Gossip.WithReachability(reachability, Self));
    }

    /// <summary>Gossips to one reachable member, preferring those that have not seen the current version.</summary>
    private void GossipToOne()
    {
        // Downed members are gossiped to as well: they must see that they are down (and the leader
        // needs them to have seen it) before they can be removed.
        var candidates = Others.Where(m => m.Status != MemberStatus.Removed
                                           && Gossip.Reachability.IsReachable(Self, m.UniqueAddress)).ToList();
        if (candidates.Count == 0) return;
        var unseen = candidates.Where(m => !Gossip.SeenBy(m.UniqueAddress)).ToList();
        var pool = unseen.Count > 0 && _random.NextDouble() < 0.8 ? unseen : candidates;
        var target = pool[_random.Next(pool.Count)];
        _outbox.Send(target.Address, new GossipEnvelope(Self, target.UniqueAddress, Gossip));
    }

    /// <summary>
    /// On convergence the leader moves members along: Joining -> Up (numbered by age), Leaving ->
    /// Exiting, Exiting and Down -> Removed. A removed node gets one last gossip so it learns it is out.
    /// </summary>
    private void LeaderActions()
    {
        if (Gossip.LeaderOf(Self) != Self || !Gossip.IsConverged(Self)) return;
        var next = Gossip;
        var maxUp = next.Members.Values.Where(m => m.UpNumber != int.MaxValue).Select(m => m.UpNumber).DefaultIfEmpty(0).Max();
        var removed = new List<Member>();
        foreach (var m in Gossip.Members.Values)
        {
            switch (m.Status)
            {
                case MemberStatus.Joining:
                    next = next.Put(m.WithStatus(MemberStatus.Up) with { UpNumber = ++maxUp }, Self);
                    break;
                case MemberStatus.Leaving:
                    next = next.Put(m.WithStatus(MemberStatus.Exiting), Self);
                    break;
                case MemberStatus.Exiting or MemberStatus.Down when m.UniqueAddress != Self:
                    next = next.Remove(m.UniqueAddress, Self);
                    removed.Add(m);
                    break;
            }
        }
        if (ReferenceEquals(next, Gossip)) return;
        Update(next);
        foreach (var m in removed)
            if (Gossip.Reachability.IsReachable(Self, m.UniqueAddress))
                _outbox.Send(m.Address, new GossipEnvelope(Self, m.UniqueAddress, Gossip));
    }

    /// <summary>The leader of this side applies the split-brain resolver once the unreachable set is stable.</summary>
    private void ResolveSplitBrain(double nowMs)
    {
        if (_phase != Phase.Member || _settings.Downing is DowningStrategy.None) return;
        var unreachable = Gossip.UnreachableMembers
            .Where(m => m.UniqueAddress != Self && m.Status is not (MemberStatus.Down or MemberStatus.Removed))
            .Select(m => m.UniqueAddress).ToList();
        if (!_stability.IsStable(unreachable, nowMs, _settings.StableAfter) || Gossip.LeaderOf(Self) != Self) return;
        switch (SplitBrainResolver.Decide(_settings.Downing, Gossip, Self))
        {
            case SbrDecision.DownUnreachable:
                foreach (var node in unreachable) Down(node.Address);
                break;
            case SbrDecision.DownReachable:
                foreach (var m in Gossip.Members.Values.Where(m => !unreachable.Contains(m.UniqueAddress)).ToList())
                    Down(m.Address);
                break;
        }
    }
}

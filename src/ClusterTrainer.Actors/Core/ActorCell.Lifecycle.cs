namespace ClusterTrainer.Actors;

/// <summary>System-message handling: creation, failure, resume, restart and termination.</summary>
internal sealed partial class ActorCell
{
    internal void SystemInvoke(ISystemMessage message)
    {
        var previous = _current;
        _current = this;
        try
        {
            switch (message)
            {
                case Create: CreateActor(); break;
                case Terminate: BeginTerminate(); break;
                case Watch w: AddWatcher(w); break;
                case Unwatch u: RemoveWatcher(u); break;
                case DeathWatchNotification d: HandleDeathWatchNotification(d); break;
                case Failed f: HandleChildFailed(f); break;
                case Resume: HandleResume(); break;
                case Recreate r: FaultRecreate(r.Cause); break;
                case Suspend: HandleSuspend(); break;
                case AsyncCompleted a: HandleAsyncCompleted(a); break;
                case AsyncContinuation c: RunContinuation(c); break;
            }
        }
        catch (Exception e)
        {
            HandleInvokeFailure(e);
        }
        finally
        {
            _current = previous;
        }
    }

    /// <summary>A system message reached this cell after it stopped (or raced with the stop).</summary>
    internal void HandleSystemMessageAfterStop(ISystemMessage message)
    {
        switch (message)
        {
            case Watch w when !w.Watcher.Equals(Self):
                w.Watcher.SendSystemMessage(new DeathWatchNotification(w.Watchee, ExistenceConfirmed: false, AddressTerminated: false));
                break;
            case AsyncContinuation c: // let a running async handler finish even though its actor stopped
                ThreadPool.UnsafeQueueUserWorkItem(static s => s.Callback(s.State), c, preferLocal: false);
                break;
        }
    }

    private void CreateActor()
    {
        try
        {
            var actor = NewInstance();
            actor.InvokePreStart();
        }
        catch (Exception e)
        {
            _actor = null;
            throw new ActorInitializationException(Self,
                $"{Props.ActorType.Name} at {Self.Path} failed to start: {e.GetType().Name}: {e.Message}", e);
        }
    }

    private ActorBase NewInstance()
    {
        _behaviors.Clear();
        var actor = Props.NewActor();
        if (!ReferenceEquals(actor.Cell, this))
            throw new InvalidOperationException(
                $"The Props factory for {Props.ActorType.Name} returned an actor that was not created by it; the factory must create a new instance every time.");
        _actor = actor;
        _behaviors.Add(actor.InvokeReceive);
        if (actor is IWithStash withStash)
            withStash.Stash = _stash ??= new BoundedStash(this, Props.StashCapacity ?? System.Options.DefaultStashCapacity);
        if (actor is IWithTimers withTimers)
            withTimers.Timers = Timers;
        return actor;
    }

    // ---------------- failure ----------------

    private void HandleInvokeFailure(Exception cause)
    {
        if (_terminating)
        {
            Log.Error(cause, $"{Self.Path} failed while stopping; the failure is ignored.");
            return;
        }
        if (_failed) return; // a directive for an earlier failure is still pending
        _failed = true;
        Mailbox.Suspend();
        _receiveTimeoutTask?.Cancel();
        foreach (var child in LivingChildren()) child.SendSystemMessage(Suspend.Instance);
        Parent.SendSystemMessage(new Failed(Self, cause, Self.Path.Uid));
    }

    private void HandleSuspend()
    {
        Mailbox.Suspend();
        foreach (var child in LivingChildren()) child.SendSystemMessage(Suspend.Instance);
    }

    private void HandleResume()
    {
        _failed = false;
        Mailbox.Resume();
        foreach (var child in LivingChildren()) child.SendSystemMessage(new Resume(null));
        if (_receiveTimeout is not null) RescheduleReceiveTimeout();
    }

    private void HandleChildFailed(Failed failed)
    {
        var entry = FindChild(failed.Child);
        if (entry is null || entry.Stopping) return; // stale: that incarnation is gone or going
        var strategy = Props.SupervisorStrategy ?? _actor?.InvokeSupervisorStrategy() ?? System.DefaultStrategyFor(this);
        var siblings = ChildStatsSnapshot();
        if (!strategy.HandleFailure(this, entry.Ref, failed.Cause, entry.Stats, siblings))
            HandleInvokeFailure(failed.Cause); // escalate: this actor fails with the child's exception
    }

    // ---------------- restart ----------------

    private void FaultRecreate(Exception cause)
    {
        if (_terminating) return;
        _asyncPending = false;
        _asyncGeneration++;
        _receiveTimeoutTask?.Cancel();
        _timers?.CancelAll();
        _stash?.UnstashAll();
        var failedActor = _actor;
        if (failedActor is not null)
        {
            var message = _hasCurrent ? _currentEnvelope.Message : null;
            try { failedActor.InvokePreRestart(cause, message); }
            catch (Exception e) { Log.Error(e, $"PreRestart of {Self.Path} threw; restarting anyway."); }
        }
        _actor = null;
        if (AnyChildStopping()) _pendingRecreate = cause;
        else FinishRecreate(cause);
    }

    private void FinishRecreate(Exception cause)
    {
        _pendingRecreate = null;
        _failed = false;
        try
        {
            var fresh = NewInstance();
            fresh.InvokePostRestart(cause);
        }
        catch (Exception e)
        {
            Mailbox.ResumeFully();
            _actor = null;
            HandleInvokeFailure(new ActorInitializationException(Self,
                $"{Props.ActorType.Name} at {Self.Path} failed while restarting: {e.GetType().Name}: {e.Message}", e));
            return;
        }
        Mailbox.ResumeFully();
        foreach (var survivor in LivingChildren()) survivor.SendSystemMessage(new Recreate(cause));
        if (_receiveTimeout is not null) RescheduleReceiveTimeout();
    }

    // ---------------- termination ----------------

    private void BeginTerminate()
    {
        IInternalActorRef[] children;
        lock (_childrenLock)
        {
            if (_terminating) return;
            _terminating = true;
            children = _children.Values.Where(c => !c.Stopping).Select(c => c.Ref).ToArray();
        }
        Mailbox.Suspend();
        _receiveTimeoutTask?.Cancel();
        _timers?.CancelAll();
        UnwatchAll();
        foreach (var child in children) StopChild(child);
        if (!AnyChildStopping()) FinishTerminate();
    }

    private void FinishTerminate()
    {
        var actor = _actor;
        try { actor?.InvokePostStop(); }
        catch (Exception e) { Log.Error(e, $"PostStop of {Self.Path} threw."); }
        _actor = null;
        _behaviors.Clear();
        _terminated = true;
        if (_stash is not null)
            foreach (var e in _stash.ClearStash()) DeadLetter(e);
        Mailbox.Close();
        NotifyWatchersOfDeath();
        Parent.SendSystemMessage(new DeathWatchNotification(Self, ExistenceConfirmed: true, AddressTerminated: false));
        System.EventStream.Unsubscribe(Self);
    }

    /// <summary>Called after a child's stop completed: maybe finish our own pending restart or stop.</summary>
    private void AfterChildStopped()
    {
        if (AnyChildStopping()) return;
        if (_terminating && !_terminated) FinishTerminate();
        else if (_pendingRecreate is { } cause) FinishRecreate(cause);
    }
}

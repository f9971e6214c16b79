namespace ClusterTrainer.Torch;

/// <summary>
/// Collects every tensor created on this thread while it is the current scope, and disposes them when it
/// is disposed (after TorchSharp's DisposeScope). Scopes nest; keep results alive past a scope with
/// <see cref="MoveToOuter(torch.Tensor[])"/> (to the enclosing scope, or to no scope) or
/// <see cref="Detach(torch.Tensor[])"/> (to no scope: the caller disposes them).
/// Scopes are per thread: a tensor created after an <c>await</c> that resumed on another thread does not
/// join this scope.
/// <code>
/// Who frees a tensor:
///   created while S is current                   S.MoveToOuter(t)
///   ---------------------------> [owned by S] -----------------------> [owned by S.Outer, or unowned]
///                                  |   |  S.Detach(t), t.DetachFromDisposeScope()
///        S.Dispose(),              |   +-----------------------------> [unowned: caller's Dispose or the GC]
///        S.DisposeEverythingBut(..)v
///                               [disposed]  (t.Dispose() at any point also leads here)
/// </code>
/// <code>
/// using (var scope = torch.NewDisposeScope())
/// {
///     var loss = ((model(x) - y).square()).mean();   // the temporaries belong to the scope
///     result = scope.MoveToOuter(loss.detach());
/// }                                                   // every other tensor is freed here
/// </code>
/// </summary>
public sealed class DisposeScope : IDisposable
{
    private readonly HashSet<torch.Tensor> owned = new(ReferenceEqualityComparer.Instance);

    internal DisposeScope(DisposeScope? outer) => Outer = outer;

    /// <summary>The scope that was current when this one was opened (null at the outermost level).</summary>
    public DisposeScope? Outer { get; internal set; }

    public bool IsDisposed { get; private set; }

    /// <summary>How many tensors this scope will dispose.</summary>
    public int Count => owned.Count;

    /// <summary>Takes ownership of a tensor (removing it from the scope that owned it, if any).</summary>
    public torch.Tensor Attach(torch.Tensor tensor)
    {
        ThrowIfDisposed();
        tensor.OwningScope?.owned.Remove(tensor);
        tensor.OwningScope = this;
        owned.Add(tensor);
        return tensor;
    }

    /// <summary>Hands the tensors to the enclosing scope (or to no scope when this is the outermost).</summary>
    public torch.Tensor MoveToOuter(torch.Tensor tensor)
    {
        Release(tensor);
        if (Outer is { IsDisposed: false } outer) outer.Attach(tensor);
        return tensor;
    }

    public torch.Tensor[] MoveToOuter(params torch.Tensor[] tensors)
    {
        foreach (var t in tensors) MoveToOuter(t);
        return tensors;
    }

    public (torch.Tensor, torch.Tensor) MoveToOuter(torch.Tensor a, torch.Tensor b) => (MoveToOuter(a), MoveToOuter(b));

    /// <summary>Removes the tensors from every scope: the caller now disposes them.</summary>
    public torch.Tensor Detach(torch.Tensor tensor)
    {
        Release(tensor);
        return tensor;
    }

    public torch.Tensor[] Detach(params torch.Tensor[] tensors)
    {
        foreach (var t in tensors) Detach(t);
        return tensors;
    }

    /// <summary>Disposes every tensor of this scope except <paramref name="keep"/> (which stay in the scope).</summary>
    public void DisposeEverythingBut(params torch.Tensor[] keep)
    {
        ThrowIfDisposed();
        var spare = new HashSet<torch.Tensor>(keep, ReferenceEqualityComparer.Instance);
        foreach (var t in owned.ToArray())
        {
            if (spare.Contains(t)) continue;
            t.OwningScope = null;
            owned.Remove(t);
            t.Dispose();
        }
    }

    /// <summary>Disposes every tensor of this scope; the scope stays open.</summary>
    public void DisposeEverything() => DisposeEverythingBut();

    /// <summary>Disposes every tensor the scope still owns and makes the outer scope current again.</summary>
    public void Dispose()
    {
        if (IsDisposed) return;
        foreach (var t in owned)
        {
            t.OwningScope = null;
            t.Dispose();
        }
        owned.Clear();
        IsDisposed = true;
        DisposeScopeManager.Close(this);
    }

    /// <summary>Called by Tensor.Dispose: forget a tensor that was disposed directly.</summary>
    internal void Forget(torch.Tensor tensor)
    {
        owned.Remove(tensor);
        tensor.OwningScope = null;
    }

    private void Release(torch.Tensor tensor)
    {
        ThrowIfDisposed();
        if (!ReferenceEquals(tensor.OwningScope, this))
            throw new InvalidOperationException("the tensor does not belong to this dispose scope (it was created outside it, moved or detached)");
        owned.Remove(tensor);
        tensor.OwningScope = null;
    }

    private void ThrowIfDisposed()
    {
        if (IsDisposed) throw new ObjectDisposedException(nameof(DisposeScope), "this dispose scope was already disposed");
    }
}

/// <summary>The per-thread stack of dispose scopes.</summary>
internal static class DisposeScopeManager
{
    [ThreadStatic] private static DisposeScope? current;

    /// <summary>The innermost live scope of this thread (a scope disposed from another thread is skipped).</summary>
    internal static DisposeScope? Current
    {
        get
        {
            var c = current;
            if (c is null || !c.IsDisposed) return c;
            while (c is { IsDisposed: true }) c = c.Outer;
            return current = c;
        }
    }

    internal static DisposeScope Open() => current = new DisposeScope(Current);

    /// <summary>Unlinks a disposed scope; closing a scope that is not innermost also unlinks it from the chain.</summary>
    internal static void Close(DisposeScope scope)
    {
        if (ReferenceEquals(current, scope))
        {
            current = scope.Outer;
            while (current is { IsDisposed: true }) current = current.Outer;
            return;
        }
        for (var s = current; s is not null; s = s.Outer)
        {
            if (ReferenceEquals(s.Outer, scope))
            {
                s.Outer = scope.Outer;
                return;
            }
        }
    }
}

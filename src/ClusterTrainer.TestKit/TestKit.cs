using ClusterTrainer.Actors;

namespace ClusterTrainer.TestKit;

/// <summary>
/// xUnit base class: each test class instance gets its own <see cref="ActorSystem"/> and TestActor,
/// and the system is terminated on Dispose. Tell from test code uses TestActor as sender.
/// <code>
///   public class CounterSpec : TestKit
///   {
///       [Fact] public void Counts() { var c = Sys.ActorOf(Props.Create&lt;Counter&gt;()); c.Tell(new Add(2)); c.Tell(Get.Instance); ExpectMsg(2); }
///   }
/// </code>
/// </summary>
public class TestKit : TestKitBase, IDisposable
{
    private static int _systemCounter;
    private readonly IActorRef? _previousImplicitSender;
    private bool _disposed;

    public TestKit(ActorSystemOptions? options = null, string? systemName = null, TestKitSettings? settings = null)
        : this(ActorSystem.Create(systemName ?? $"test-{Interlocked.Increment(ref _systemCounter)}",
            (options ?? DefaultOptions) with { TerminateOnSigterm = false }), settings)
    {
    }

    /// <summary>Wraps an existing system (terminated on Dispose all the same).</summary>
    public TestKit(ActorSystem system, TestKitSettings? settings = null)
        : base(system, settings ?? TestKitSettings.Default, "testActor")
    {
        _previousImplicitSender = ImplicitSender.Ambient;
        ImplicitSender.SetAmbient(TestActor);
    }

    /// <summary>Options used when the test passes none: warnings and errors only, dead letters not logged.</summary>
    public static ActorSystemOptions DefaultOptions { get; } = new() { LogLevel = LogLevel.Warning, LogDeadLetters = false };

    /// <summary>Terminates the system and waits up to <paramref name="timeout"/> (dilated; default 10 s).</summary>
    public void Shutdown(TimeSpan? timeout = null, bool verifySystemShutdown = false)
    {
        var max = Dilated(timeout ?? TimeSpan.FromSeconds(10));
        StopReceiving();
        if (!Sys.Terminate().Wait(max) && verifySystemShutdown)
            throw new TestKitAssertionException($"Actor system {Sys.Name} did not terminate within {Ms(max)}.");
    }

    protected virtual void Dispose(bool disposing)
    {
        if (_disposed) return;
        _disposed = true;
        if (!disposing) return;
        if (Equals(ImplicitSender.Ambient, TestActor)) ImplicitSender.SetAmbient(_previousImplicitSender);
        Shutdown();
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }
}

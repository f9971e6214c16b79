using Xunit.Sdk;

namespace ClusterTrainer.TestKit;

/// <summary>A failed TestKit expectation; xunit reports its message as the test failure.</summary>
public sealed class TestKitAssertionException(string message) : XunitException(message);

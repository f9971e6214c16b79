namespace ClusterTrainer.Cli.Tests.Fakes;

/// <summary>AwaitAssert-style polling with a generous deadline: for conditions another task makes true.</summary>
public static class Eventually
{
    public static async Task True(Func<bool> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(60));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"not true within {(within ?? TimeSpan.FromSeconds(60)).TotalSeconds} s: {what}");
            await Task.Delay(20);
        }
    }
}

using ClusterTrainer.Actors.Remote;
using Xunit;

namespace ClusterTrainer.Actors.Tests.Remote;

public sealed class NodeAddressTests
{
    [Fact]
    public void Parses_prints_and_compares_by_value()
    {
        var a = NodeAddress.Parse("ct.tcp://trainer@10.0.0.5:4053");
        Assert.Equal(new NodeAddress("trainer", "10.0.0.5", 4053), a);
        Assert.Equal("ct.tcp://trainer@10.0.0.5:4053", a.ToString());
        Assert.Equal("10.0.0.5:4053", a.HostPort);
        Assert.Equal(a.GetHashCode(), new NodeAddress("trainer", "10.0.0.5", 4053).GetHashCode());
    }

    [Fact]
    public void A_with_copy_gets_its_own_hash()
    {
        var a = new NodeAddress("s", "h", 1);
        _ = a.GetHashCode(); // cache it
        var b = a with { Port = 2 };
        Assert.NotEqual(a, b);
        Assert.Equal(new NodeAddress("s", "h", 2).GetHashCode(), b.GetHashCode());
        var set = new HashSet<NodeAddress> { a };
        Assert.DoesNotContain(b, set);
    }

    [Theory]
    [InlineData("ct://trainer")]
    [InlineData("ct.tcp://@h:1")]
    [InlineData("ct.tcp://s@h")]
    [InlineData("ct.tcp://s@h:99999")]
    public void Bad_addresses_are_refused_with_the_expected_form(string text)
    {
        var e = Assert.Throws<FormatException>(() => NodeAddress.Parse(text));
        Assert.Contains("ct.tcp://system@host:port", e.Message);
    }
}

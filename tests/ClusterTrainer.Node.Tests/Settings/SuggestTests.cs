using ClusterTrainer.Node.Settings;
using Xunit;

namespace ClusterTrainer.Node.Tests.Settings;

public sealed class SuggestTests
{
    [Theory]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    [InlineData("port", "port", 0)]
    [InlineData("prot", "port", 2)]
    public void Distance_is_the_levenshtein_distance(string a, string b, int expected) =>
        Assert.Equal(expected, Suggest.Distance(a, b));

    [Fact]
    public void The_closest_candidate_is_suggested_only_when_it_is_close()
    {
        string[] flags = ["--port", "--http-port", "--roles"];
        Assert.Equal("--http-port", Suggest.Closest("--HTTP-PROT", flags));
        Assert.Null(Suggest.Closest("--checkpoint", flags));
        Assert.Equal(" (did you mean --roles?)", Suggest.DidYouMean("--role", flags));
        Assert.Equal("", Suggest.DidYouMean("--zzzzzzzz", flags));
    }
}

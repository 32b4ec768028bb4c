using MeshProxy.Gateway;

namespace MeshProxy.Tests.Gateway;

public sealed class ServerNamePatternTests
{
    [Theory]
    [InlineData("api.example.com")]
    [InlineData("*.example.com")]
    [InlineData("*.local")]
    [InlineData("outbound_.8080_._.reviews.default.svc.cluster.local")]
    [InlineData("localhost")]
    public void Check_ValidPattern_Null(string pattern)
    {
        Assert.Null(ServerNamePattern.Check(pattern, allowAny: false));
    }

    [Theory]
    [InlineData("*", false, "'*' is not allowed here")]
    [InlineData("*w.example.com", false, "'*w.example.com' has a partial wildcard")]
    [InlineData("api.*", false, "'api.*' has a partial wildcard")]
    [InlineData("*.*.com", false, "'*.*.com' has a partial wildcard")]
    [InlineData("api..example.com", false, "'api..example.com' is not a DNS name")]
    [InlineData("api.example.com.", false, "'api.example.com.' is not a DNS name")]
    [InlineData("api example.com", false, "'api example.com' is not a DNS name")]
    [InlineData("bücher.example", false, "'bücher.example' is not a DNS name")]
    [InlineData("*.", true, "'*.' is not a DNS name")]
    public void Check_InvalidPattern_Reason(string pattern, bool allowAny, string reason)
    {
        Assert.StartsWith(reason, ServerNamePattern.Check(pattern, allowAny));
    }

    [Fact]
    public void Check_BareWildcardWhereAllowed_Null()
    {
        Assert.Null(ServerNamePattern.Check("*", allowAny: true));
    }

    [Theory]
    [InlineData("*", "anything.at.all", true)]
    [InlineData("*.local", "reviews.default.svc.cluster.local", true)]
    [InlineData("*.local", "a.LOCAL", true)]
    [InlineData("*.local", "local", false)]
    [InlineData("*.local", "xlocal", false)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("reviews.example.com", "Reviews.Example.Com", true)]
    [InlineData("reviews.example.com", "reviews.example.co", false)]
    public void Matches_CaseInsensitiveWildcardNeedsALabel(string pattern, string name, bool matches)
    {
        Assert.Equal(matches, ServerNamePattern.Matches(pattern, name));
    }
}

using MeshProxy.Identity.Spiffe;
using Xunit;

namespace MeshProxy.Identity.Tests.Spiffe;

/// <summary>go-spiffe's TestTrustDomainFromString cases.</summary>
public class TrustDomainTests
{
    public static TheoryData<string, SpiffeIdError> InvalidTrustDomains => new()
    {
        { "", SpiffeIdError.MissingTrustDomain },
        { "spiffe:/trustdomain/path", SpiffeIdError.WrongScheme },
        { "spiffe://", SpiffeIdError.MissingTrustDomain },
        { "spiffe:///path", SpiffeIdError.MissingTrustDomain },
        { "spiffe://trustdomain/", SpiffeIdError.TrailingSlash },
        { "spiffe://trustdomain/path/", SpiffeIdError.TrailingSlash },
        { "spiffe://%F0%9F%A4%AF/path", SpiffeIdError.BadTrustDomainChar },
        { "spiffe://trustdomain/%F0%9F%A4%AF", SpiffeIdError.BadPathSegmentChar },
        { "spiffe://trust$domain", SpiffeIdError.BadTrustDomainChar },
        { "spiffe://trustdomain/path$", SpiffeIdError.BadPathSegmentChar },
        { "trustdomain/", SpiffeIdError.BadTrustDomainChar },
        { "Trustdomain", SpiffeIdError.BadTrustDomainChar },
    };

    [Theory]
    [MemberData(nameof(InvalidTrustDomains))]
    public void TryParse_Invalid_ReportsTheBrokenRule(string input, SpiffeIdError expected)
    {
        Assert.False(TrustDomain.TryParse(input, out _, out var error));
        Assert.Equal(expected, error);
        Assert.Equal(expected, Assert.Throws<SpiffeIdFormatException>(() => TrustDomain.Parse(input)).Error);
    }

    [Theory]
    [InlineData("trustdomain")]
    [InlineData("spiffe://trustdomain")]
    [InlineData("spiffe://trustdomain/path")]
    public void TryParse_NameOrId_GivesTheTrustDomain(string input)
    {
        Assert.True(TrustDomain.TryParse(input, out var trustDomain, out _));
        Assert.Equal("trustdomain", trustDomain.Name);
        Assert.Equal("spiffe://trustdomain", trustDomain.IdString);
    }

    [Fact]
    public void TryParse_EveryCharacter_OnlyTrustDomainCharsAccepted()
    {
        for (var i = 0; i < 256; i++)
        {
            var c = (char)i;
            var expected = c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-' or '_';
            var valid = TrustDomain.TryParse("trustdomain" + c, out var trustDomain, out var error);
            Assert.True(expected == valid, $"character 0x{i:X2}");
            if (valid)
            {
                Assert.Equal("trustdomain" + c, trustDomain!.Name);
                Assert.True(TrustDomain.TryParse("spiffe://trustdomain" + c, out var fromId, out _));
                Assert.Equal(trustDomain, fromId);
            }
            else
            {
                Assert.Equal(SpiffeIdError.BadTrustDomainChar, error);
            }
        }
    }

    [Fact]
    public void CompareTo_Names_Ordinal()
    {
        var a = TrustDomain.Parse("a");
        var b = TrustDomain.Parse("b");
        Assert.Equal(-1, Math.Sign(a.CompareTo(b)));
        Assert.Equal(0, a.CompareTo(TrustDomain.Parse("a")));
        Assert.Equal(1, Math.Sign(b.CompareTo(a)));
    }
}

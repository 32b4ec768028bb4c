using MeshProxy.Identity.Spiffe;
using Xunit;

namespace MeshProxy.Identity.Tests.Spiffe;

/// <summary>go-spiffe's spiffeid test cases (docs: shared reference §1.3), as data.</summary>
public class SpiffeIdTests
{
    public static TheoryData<string, SpiffeIdError> InvalidIds => new()
    {
        // TestFromString: reject empty / bad scheme / missing trust domain.
        { "", SpiffeIdError.Empty },
        { "s", SpiffeIdError.WrongScheme },
        { "spiffe:/", SpiffeIdError.WrongScheme },
        { "Spiffe://", SpiffeIdError.WrongScheme },
        { "SPIFFE://trustdomain", SpiffeIdError.WrongScheme },
        { "BAD", SpiffeIdError.WrongScheme },
        { "spiffe://", SpiffeIdError.MissingTrustDomain },
        { "spiffe:///", SpiffeIdError.MissingTrustDomain },
        // Empty segments and trailing slashes.
        { "spiffe://trustdomain/", SpiffeIdError.TrailingSlash },
        { "spiffe://trustdomain//", SpiffeIdError.EmptySegment },
        { "spiffe://trustdomain//path", SpiffeIdError.EmptySegment },
        { "spiffe://trustdomain/path/", SpiffeIdError.TrailingSlash },
        // Dot segments.
        { "spiffe://trustdomain/.", SpiffeIdError.DotSegment },
        { "spiffe://trustdomain/./path", SpiffeIdError.DotSegment },
        { "spiffe://trustdomain/path/./other", SpiffeIdError.DotSegment },
        { "spiffe://trustdomain/path/..", SpiffeIdError.DotSegment },
        { "spiffe://trustdomain/..", SpiffeIdError.DotSegment },
        { "spiffe://trustdomain/../path", SpiffeIdError.DotSegment },
        { "spiffe://trustdomain/path/../other", SpiffeIdError.DotSegment },
        // Percent encoding.
        { "spiffe://%F0%9F%A4%AF/path", SpiffeIdError.BadTrustDomainChar },
        { "spiffe://trustdomain/%F0%9F%A4%AF", SpiffeIdError.BadPathSegmentChar },
        { "spiffe://%62%61%64/path", SpiffeIdError.BadTrustDomainChar },
        { "spiffe://trustdomain/%62%61%64", SpiffeIdError.BadPathSegmentChar },
        // TestFromURI.
        { "spiffe://trust$domain", SpiffeIdError.BadTrustDomainChar },
        { "spiffe://trustdomain/path$", SpiffeIdError.BadPathSegmentChar },
        // Notable consequences of the character loops: no port, userinfo, uppercase TD, query or fragment.
        { "spiffe://trustdomain:8080/path", SpiffeIdError.BadTrustDomainChar },
        { "spiffe://user@trustdomain/path", SpiffeIdError.BadTrustDomainChar },
        { "spiffe://trustdomainA/path", SpiffeIdError.BadTrustDomainChar },
        { "spiffe://[::1]/path", SpiffeIdError.BadTrustDomainChar },
        { "spiffe://trustdomain/path?query", SpiffeIdError.BadPathSegmentChar },
        { "spiffe://trustdomain/path#fragment", SpiffeIdError.BadPathSegmentChar },
        { "spiffe://trustdomain/pa th", SpiffeIdError.BadPathSegmentChar },
        { "spiffe://trustdomain/päth", SpiffeIdError.BadPathSegmentChar },
    };

    public static TheoryData<string, string, string> ValidIds => new()
    {
        { "spiffe://trustdomain", "trustdomain", "" },
        { "spiffe://trustdomain/path", "trustdomain", "/path" },
        { "spiffe://trustdomain/.path", "trustdomain", "/.path" },
        { "spiffe://trustdomain/..path", "trustdomain", "/..path" },
        { "spiffe://trustdomain/...", "trustdomain", "/..." },
        { "spiffe://trustdomain/pathA", "trustdomain", "/pathA" },
        { "spiffe://trustdomain./path", "trustdomain.", "/path" },
        { "spiffe://k8s-west.example.com/ns/staging/sa/default", "k8s-west.example.com", "/ns/staging/sa/default" },
        { "spiffe://example.com/9eebccd2-12bf-40a6-b262-65fe0487d453", "example.com", "/9eebccd2-12bf-40a6-b262-65fe0487d453" },
        { "spiffe://1.2.3.4/a_b", "1.2.3.4", "/a_b" },
    };

    [Theory]
    [MemberData(nameof(InvalidIds))]
    public void TryParse_InvalidId_ReportsTheBrokenRule(string input, SpiffeIdError expected)
    {
        Assert.False(SpiffeId.TryParse(input, out var id, out var error));
        Assert.Null(id);
        Assert.Equal(expected, error);
        var exception = Assert.Throws<SpiffeIdFormatException>(() => SpiffeId.Parse(input));
        Assert.Equal(expected, exception.Error);
        Assert.Contains(SpiffeIdErrors.Message(expected), exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ValidIds))]
    public void TryParse_ValidId_SplitsTrustDomainAndPath(string input, string trustDomain, string path)
    {
        Assert.True(SpiffeId.TryParse(input, out var id, out var error));
        Assert.Equal(SpiffeIdError.None, error);
        Assert.Equal(trustDomain, id.TrustDomain.Name);
        Assert.Equal(path, id.Path);
        Assert.Equal(input, id.ToString());
    }

    [Fact]
    public void TryParse_EveryCharacterInTrustDomain_OnlyLowercaseDigitsDotDashUnderscoreAccepted() =>
        AssertCharacterLoop(c => $"spiffe://trustdomain{c}/path", SpiffeIdError.BadTrustDomainChar, expectedAccepted: 39,
            c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-' or '_',
            (c, id) => Assert.Equal(("trustdomain" + c, "/path"), (id.TrustDomain.Name, id.Path)));

    [Fact]
    public void TryParse_EveryCharacterInPath_OnlyLettersDigitsDotDashUnderscoreAccepted() =>
        AssertCharacterLoop(c => $"spiffe://trustdomain/path{c}", SpiffeIdError.BadPathSegmentChar, expectedAccepted: 65,
            c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '-' or '_',
            (c, id) => Assert.Equal("/path" + c, id.Path));

    // go-spiffe's loops over code points 0-255, skipping '/'.
    private static void AssertCharacterLoop(Func<char, string> input, SpiffeIdError error, int expectedAccepted, Func<char, bool> allowed, Action<char, SpiffeId> check)
    {
        var accepted = 0;
        for (var i = 0; i < 256; i++)
        {
            var c = (char)i;
            if (c == '/')
            {
                continue;
            }
            var valid = SpiffeId.TryParse(input(c), out var id, out var actual);
            Assert.True(allowed(c) == valid, $"character 0x{i:X2}");
            if (valid)
            {
                accepted++;
                check(c, id!);
            }
            else
            {
                Assert.Equal(error, actual);
            }
        }
        Assert.Equal(expectedAccepted, accepted);
    }

    [Fact]
    public void TryParse_LengthLimits_2048BytesAnd255ByteTrustDomainAccepted()
    {
        var trustDomain = new string('t', 255);
        Assert.True(SpiffeId.TryParse("spiffe://" + trustDomain + "/p", out _, out _));
        Assert.False(SpiffeId.TryParse("spiffe://" + trustDomain + "t/p", out _, out var tdError));
        Assert.Equal(SpiffeIdError.TrustDomainTooLong, tdError);

        var prefix = "spiffe://td/";
        var longest = prefix + new string('p', SpiffeId.MaxLength - prefix.Length);
        Assert.True(SpiffeId.TryParse(longest, out _, out _));
        Assert.False(SpiffeId.TryParse(longest + "p", out _, out var idError));
        Assert.Equal(SpiffeIdError.TooLong, idError);
    }

    [Fact]
    public void FromSegments_ValidSegments_JoinsWithSlashes()
    {
        var td = TrustDomain.Parse("example.org");
        Assert.Equal("spiffe://example.org", SpiffeId.FromSegments(td).ToString());
        Assert.Equal("spiffe://example.org/foo", SpiffeId.FromSegments(td, "foo").ToString());
        Assert.Equal("spiffe://example.org/foo/bar", td.Id("foo", "bar").ToString());
    }

    [Theory]
    [InlineData("", SpiffeIdError.EmptySegment)]
    [InlineData(".", SpiffeIdError.DotSegment)]
    [InlineData("..", SpiffeIdError.DotSegment)]
    [InlineData("/", SpiffeIdError.BadPathSegmentChar)]
    [InlineData("/foo", SpiffeIdError.BadPathSegmentChar)]
    [InlineData("$", SpiffeIdError.BadPathSegmentChar)]
    public void FromSegments_BadSegment_Throws(string segment, SpiffeIdError expected)
    {
        var exception = Assert.Throws<SpiffeIdFormatException>(() => SpiffeId.FromSegments(TrustDomain.Parse("example.org"), segment));
        Assert.Equal(expected, exception.Error);
    }

    [Theory]
    [InlineData("/foo", null)]
    [InlineData("", null)]
    [InlineData("foo", SpiffeIdError.NoLeadingSlash)]
    [InlineData("/", SpiffeIdError.TrailingSlash)]
    [InlineData("/foo/", SpiffeIdError.TrailingSlash)]
    public void FromPath_Path_ValidatedLikeGoSpiffe(string path, SpiffeIdError? expected)
    {
        var td = TrustDomain.Parse("example.org");
        if (expected is null)
        {
            Assert.Equal("spiffe://example.org" + path, SpiffeId.FromPath(td, path).ToString());
        }
        else
        {
            Assert.Equal(expected, Assert.Throws<SpiffeIdFormatException>(() => SpiffeId.FromPath(td, path)).Error);
        }
    }

    [Fact]
    public void ForIstioWorkload_NamespaceAndServiceAccount_BuildsIstioForm()
    {
        var id = SpiffeId.ForIstioWorkload(TrustDomain.Parse("cluster.local"), "default", "productpage");
        Assert.Equal("spiffe://cluster.local/ns/default/sa/productpage", id.ToString());
        Assert.Equal("cluster.local/ns/default/sa/productpage", id.IstioPrincipal);
        Assert.True(id.TryGetIstioWorkload(out var ns, out var sa));
        Assert.Equal("default", ns);
        Assert.Equal("productpage", sa);
    }

    [Theory]
    [InlineData("spiffe://cluster.local")]
    [InlineData("spiffe://cluster.local/ns/default")]
    [InlineData("spiffe://cluster.local/ns/default/sa/web/extra")]
    [InlineData("spiffe://cluster.local/namespace/default/sa/web")]
    [InlineData("spiffe://cluster.local/ns/default/serviceaccount/web")]
    public void TryGetIstioWorkload_OtherPath_False(string text)
    {
        Assert.False(SpiffeId.Parse(text).TryGetIstioWorkload(out _, out _));
    }

    [Fact]
    public void TryParseIstioPrincipal_Principal_PrefixesScheme()
    {
        Assert.True(SpiffeId.TryParseIstioPrincipal("cluster.local/ns/default/sa/sleep", out var id, out _));
        Assert.Equal("spiffe://cluster.local/ns/default/sa/sleep", id.ToString());
        Assert.False(SpiffeId.TryParseIstioPrincipal("", out _, out var empty));
        Assert.Equal(SpiffeIdError.Empty, empty);
        Assert.False(SpiffeId.TryParseIstioPrincipal("Cluster.local/ns/a/sa/b", out _, out var upper));
        Assert.Equal(SpiffeIdError.BadTrustDomainChar, upper);
    }

    [Fact]
    public void Equals_SameText_EqualAndSameHash()
    {
        var a = SpiffeId.Parse("spiffe://td/a");
        var b = SpiffeId.Parse("spiffe://td/a");
        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, SpiffeId.Parse("spiffe://td/A"));
        Assert.True(a.IsMemberOf(TrustDomain.Parse("td")));
    }
}

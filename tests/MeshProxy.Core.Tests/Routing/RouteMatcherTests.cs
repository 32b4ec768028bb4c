using MeshProxy.Configuration;
using MeshProxy.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace MeshProxy.Tests.Routing;

public sealed class RouteMatcherTests
{
    private static HeaderDictionary Headers(params (string Name, string[] Values)[] headers)
    {
        var dictionary = new HeaderDictionary();
        foreach (var (name, values) in headers)
        {
            dictionary[name] = new StringValues(values);
        }
        return dictionary;
    }

    [Theory]
    [InlineData("/api", "/api", true)]
    [InlineData("/api", "/api/v1", true)]
    [InlineData("/api", "/apix", true)]
    [InlineData("/api", "/API", false)]
    [InlineData("/api/", "/api", false)]
    [InlineData(null, "/anything", true)]
    public void Matches_Prefix(string? prefix, string path, bool expected)
        => Assert.Equal(expected, new RouteMatcher(new RouteMatchConfig { Prefix = prefix }).Matches(path, Headers()));

    [Theory]
    [InlineData("/health", "/health", true, true)]
    [InlineData("/health", "/health/", true, false)]
    [InlineData("/health", "/HEALTH", false, true)]
    [InlineData("/health", "/HEALTH", true, false)]
    public void Matches_ExactPath(string path, string requestPath, bool caseSensitive, bool expected)
        => Assert.Equal(expected, new RouteMatcher(new RouteMatchConfig { Path = path, CaseSensitive = caseSensitive }).Matches(requestPath, Headers()));

    [Fact]
    public void Matches_AllHeaderConditionsMustHold()
    {
        var matcher = new RouteMatcher(new RouteMatchConfig
        {
            Headers = new[]
            {
                new HeaderMatchConfig { Name = "x-canary", Exact = "true" },
                new HeaderMatchConfig { Name = "user-agent", Prefix = "curl/" },
                new HeaderMatchConfig { Name = "x-debug", Present = false },
            },
        });

        Assert.True(matcher.Matches("/", Headers(("x-canary", ["true"]), ("user-agent", ["curl/8.0"]))));
        Assert.False(matcher.Matches("/", Headers(("x-canary", ["false"]), ("user-agent", ["curl/8.0"]))));
        Assert.False(matcher.Matches("/", Headers(("x-canary", ["true"]), ("user-agent", ["wget"]))));
        Assert.False(matcher.Matches("/", Headers(("x-canary", ["true"]), ("user-agent", ["curl/8.0"]), ("x-debug", ["1"]))));
    }

    [Fact]
    public void HeaderMatcher_SeveralValues_JoinedWithComma()
    {
        var matcher = new HeaderMatcher(new HeaderMatchConfig { Name = "x-tags", Exact = "a,b" });

        Assert.True(matcher.Matches(Headers(("x-tags", ["a", "b"]))));
    }

    [Fact]
    public void HeaderMatcher_Inverted_MissingHeaderStillFails()
    {
        var matcher = new HeaderMatcher(new HeaderMatchConfig { Name = "x-env", Exact = "prod", Invert = true });

        Assert.True(matcher.Matches(Headers(("x-env", ["dev"]))));
        Assert.False(matcher.Matches(Headers(("x-env", ["prod"]))));
        Assert.False(matcher.Matches(Headers()));
    }
}

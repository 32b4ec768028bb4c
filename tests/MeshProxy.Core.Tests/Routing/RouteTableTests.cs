using MeshProxy.Configuration;
using MeshProxy.Routing;
using MeshProxy.Utilities;
using Microsoft.AspNetCore.Http;

namespace MeshProxy.Tests.Routing;

public sealed class RouteTableTests
{
    private static RouteTable Table(params (string Name, string[] Domains)[] hosts) => new(new RouteTableConfig
    {
        Name = "t",
        VirtualHosts = new EquatableArray<VirtualHostConfig>(hosts.Select(h => new VirtualHostConfig
        {
            Name = h.Name,
            Domains = h.Domains,
            Routes = new[] { new RouteConfig { Cluster = h.Name } },
        })),
    });

    [Theory]
    [InlineData("api.example.com", "exact")]
    [InlineData("API.Example.Com", "exact")]
    [InlineData("api.example.com:8443", "prefix")]
    [InlineData("www.example.com:8443", "suffix")]
    [InlineData("plain.example.org:8443", "catch-all")]
    [InlineData("www.example.com", "suffix")]
    [InlineData("a.b.example.com", "suffix")]
    [InlineData("deep.shop.example.com", "longer-suffix")]
    [InlineData("api.internal", "prefix")]
    [InlineData("other.org", "catch-all")]
    [InlineData("", "catch-all")]
    public void FindVirtualHost_EnvoyPrecedence(string host, string expected)
    {
        var table = Table(
            ("catch-all", ["*"]),
            ("prefix", ["api.*"]),
            ("suffix", ["*.example.com"]),
            ("longer-suffix", ["*.shop.example.com"]),
            ("exact", ["api.example.com"]));

        Assert.Equal(expected, table.FindVirtualHost(host)?.Name);
    }

    [Fact]
    public void FindVirtualHost_HostWithPort_FallsBackToExactWithoutPort()
    {
        var table = Table(("exact", ["api.example.com"]), ("catch-all", ["*"]));

        Assert.Equal("exact", table.FindVirtualHost("api.example.com:8443")?.Name);
    }

    [Fact]
    public void FindVirtualHost_PortWrittenInDomain_MatchesOnlyThatPort()
    {
        var table = Table(("with-port", ["api:8080"]), ("catch-all", ["*"]));

        Assert.Equal("with-port", table.FindVirtualHost("api:8080")?.Name);
        Assert.Equal("catch-all", table.FindVirtualHost("api:9090")?.Name);
    }

    [Fact]
    public void FindVirtualHost_WildcardNeedsAtLeastOneCharacter()
    {
        var table = Table(("suffix", ["*.example.com"]));

        Assert.Null(table.FindVirtualHost(".example.com"));
    }

    [Fact]
    public void FindVirtualHost_NoCatchAll_Null() => Assert.Null(Table(("a", ["a"])).FindVirtualHost("b"));

    [Fact]
    public void FindVirtualHost_BracketedIpv6WithoutPort_MatchesExact()
    {
        var table = Table(("v6", ["[::1]"]));

        Assert.Equal("v6", table.FindVirtualHost("[::1]")?.Name);
        Assert.Equal("v6", table.FindVirtualHost("[::1]:80")?.Name);
    }
}

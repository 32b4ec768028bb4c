using System.Text;
using MeshProxy.Configuration;
using MeshProxy.Gateway;
using MeshProxy.Tls;

namespace MeshProxy.Tests.Gateway;

public sealed class SniRouteTableTests
{
    private const string Yaml = """
        listeners:
          - name: eastwest
            address: 127.0.0.1:15443
            protocol: tls
            autoPassthrough: { hosts: ["*.local"], idleTimeout: 10m }
            filterChains:
              - name: api
                match: { serverNames: [api.example.com, "*.example.com"] }
                tcp: { cluster: api }
              - name: eu
                match: { serverNames: ["*.eu.example.com"] }
                tcp: { cluster: eu }
              - name: override
                match: { serverNames: ["outbound_.9080_.v2_.reviews.shop.svc.cluster.local"], applicationProtocols: [h2] }
                tcp: { cluster: api }
            tcp: { cluster: fallback }
        clusters:
          - { name: reviews, service: reviews.shop.svc.cluster.local, servicePort: 9080 }
          - { name: reviews-v1, service: reviews.shop.svc.cluster.local, servicePort: 9080, subset: v1 }
          - { name: reviews-v2, service: reviews.shop.svc.cluster.local, servicePort: 9080, subset: v2 }
          - { name: database, service: db.example.net, servicePort: 5432 }
          - { name: api }
          - { name: eu }
          - { name: fallback }
        """;

    private static readonly byte[] IstioAlpn = Alpn("istio-peer-exchange", "istio");

    private readonly SniRouterStats _stats = new();
    private readonly SniRouteTable _table;

    public SniRouteTableTests()
    {
        var config = ConfigLoader.LoadText(Yaml, "gateway.yaml").GetConfigOrThrow();
        _table = SniRouteTable.Build(config.Listeners[0], config, _stats, version: 7);
    }

    [Fact]
    public void Build_AutoPassthrough_OneNamePerExposedServicePortAndSubset()
    {
        Assert.Equal(7, _table.Version);
        Assert.Equal(
            ["api.example.com", "outbound_.9080_._.reviews.shop.svc.cluster.local", "outbound_.9080_.v1_.reviews.shop.svc.cluster.local", "outbound_.9080_.v2_.reviews.shop.svc.cluster.local"],
            _table.ExactNames.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("outbound_.9080_._.reviews.shop.svc.cluster.local", "reviews")]
    [InlineData("outbound_.9080_.v1_.reviews.shop.svc.cluster.local", "reviews-v1")]
    public void Match_AutoPassthroughNameWithIstioAlpn_ItsCluster(string serverName, string cluster)
    {
        var match = _table.Match(Encoding.ASCII.GetBytes(serverName), new AlpnProtocolList(IstioAlpn), out var route, out var exactName);

        Assert.Equal(SniMatch.Matched, match);
        Assert.Equal(cluster, route!.Chain.Tcp!.Cluster);
        Assert.Equal(TimeSpan.FromMinutes(10), route.Chain.Tcp.IdleTimeout);
        Assert.Equal(serverName, route.Name);
        Assert.Equal(serverName, exactName);
    }

    [Fact]
    public void Match_DifferentCase_MatchedWithoutReusingTheKey()
    {
        var match = _table.Match("OUTBOUND_.9080_._.Reviews.Shop.svc.cluster.local"u8, new AlpnProtocolList(IstioAlpn), out var route, out var exactName);

        Assert.Equal(SniMatch.Matched, match);
        Assert.Equal("reviews", route!.Chain.Tcp!.Cluster);
        Assert.Null(exactName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("h2,http/1.1")]
    public void Match_AutoPassthroughNameWithoutIstioAlpn_AlpnNotOffered(string offered)
    {
        var protocols = Alpn(offered.Split(',', StringSplitOptions.RemoveEmptyEntries));

        var match = _table.Match("outbound_.9080_._.reviews.shop.svc.cluster.local"u8, new AlpnProtocolList(protocols), out var route, out _);

        Assert.Equal(SniMatch.AlpnNotOffered, match);
        Assert.Equal("reviews", route!.Chain.Tcp!.Cluster);
    }

    [Fact]
    public void Match_ExplicitChainRepeatsAGeneratedName_ChainWinsWithItsAlpn()
    {
        var withH2 = _table.Match("outbound_.9080_.v2_.reviews.shop.svc.cluster.local"u8, new AlpnProtocolList(Alpn("h2")), out var route, out _);
        var withIstio = _table.Match("outbound_.9080_.v2_.reviews.shop.svc.cluster.local"u8, new AlpnProtocolList(IstioAlpn), out _, out _);

        Assert.Equal((SniMatch.Matched, "override", "api"), (withH2, route!.Name, route.Chain.Tcp!.Cluster));
        Assert.Equal(SniMatch.AlpnNotOffered, withIstio);
    }

    [Theory]
    [InlineData("api.example.com", "api")]
    [InlineData("www.example.com", "api")]
    [InlineData("a.b.example.com", "api")]
    [InlineData("paris.eu.example.com", "eu")]
    [InlineData("x.paris.eu.example.com", "eu")]
    [InlineData("WWW.EU.EXAMPLE.COM", "eu")]
    public void Match_ExactThenLongestWildcard(string serverName, string route)
    {
        var match = _table.Match(Encoding.ASCII.GetBytes(serverName), new AlpnProtocolList([]), out var found, out _);

        Assert.Equal(SniMatch.Matched, match);
        Assert.Equal(route, found!.Name);
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("eu.example.comx")]
    [InlineData("outbound_.9080_.v3_.reviews.shop.svc.cluster.local")]
    [InlineData("outbound_.5432_._.db.example.net")]
    [InlineData("reviews.shop.svc.cluster.local")]
    public void Match_NameNoRouteNames_UnknownNameAndTheDefaultIsTheListenersTcp(string serverName)
    {
        var match = _table.Match(Encoding.ASCII.GetBytes(serverName), new AlpnProtocolList(IstioAlpn), out var route, out var exactName);

        Assert.Equal(SniMatch.UnknownName, match);
        Assert.Null(route);
        Assert.Null(exactName);
        Assert.Equal("fallback", _table.Default!.Chain.Tcp!.Cluster);
        Assert.Equal("default", _table.Default.Name);
    }

    [Fact]
    public void Build_ListenerWithoutTcp_NoDefault()
    {
        var config = ConfigLoader.LoadText(Yaml.Replace("    tcp: { cluster: fallback }\n", "", StringComparison.Ordinal), "gateway.yaml").GetConfigOrThrow();

        Assert.Null(SniRouteTable.Build(config.Listeners[0], config, _stats, version: 1).Default);
    }

    [Fact]
    public void Build_EveryRoute_HasCountersByRouteAndCluster()
    {
        Assert.Equal(
            ["api/api", "default/fallback", "eu/eu", "outbound_.9080_._.reviews.shop.svc.cluster.local/reviews",
                "outbound_.9080_.v1_.reviews.shop.svc.cluster.local/reviews-v1", "outbound_.9080_.v2_.reviews.shop.svc.cluster.local/reviews-v2", "override/api"],
            _stats.Routes.Select(r => $"{r.Route}/{r.Cluster}"));
    }

    private static byte[] Alpn(params string[] protocols) =>
        [.. protocols.SelectMany(p => (byte[])[(byte)p.Length, .. Encoding.ASCII.GetBytes(p)])];
}

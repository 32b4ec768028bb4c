using System.Text;
using System.Text.Json;
using MeshProxy.Admin;
using MeshProxy.Configuration;

namespace MeshProxy.Tests.Configuration;

/// <summary>The SNI router's config: tls listeners, serverNames, AUTO_PASSTHROUGH and the clusters' service ports.</summary>
public sealed class SniRouterConfigTests
{
    private const string Gateway = """
        listeners:
          - name: eastwest
            address: "[::]:15443"
            protocol: tls
            detectionTimeout: 5s
            autoPassthrough:
              hosts: ["*.local", reviews.shop.example]
              applicationProtocols: [istio]
              idleTimeout: 30m
            filterChains:
              - name: legacy
                match: { serverNames: [legacy.example.com, "*.legacy.example.com"], applicationProtocols: [h2, http/1.1] }
                tcp: { cluster: legacy, idleTimeout: 5m }
            tcp: { cluster: legacy }
        clusters:
          - name: reviews-v1
            service: reviews.shop.svc.cluster.local
            servicePort: 9080
            subset: v1
            endpoints: [ { address: 10.0.0.1:9080 } ]
          - name: legacy
            endpoints: [ { address: 10.0.0.2:443 } ]
        """;

    [Fact]
    public void LoadText_Gateway_ReadsEveryField()
    {
        var config = ConfigLoader.LoadText(Gateway, "gateway.yaml").GetConfigOrThrow();

        var listener = Assert.Single(config.Listeners);
        Assert.Equal(ListenerProtocol.Tls, listener.Protocol);
        Assert.Equal(TimeSpan.FromSeconds(5), listener.DetectionTimeout);
        Assert.Equal(["*.local", "reviews.shop.example"], listener.AutoPassthrough!.Hosts);
        Assert.Equal(["istio"], listener.AutoPassthrough.ApplicationProtocols);
        Assert.Equal(TimeSpan.FromMinutes(30), listener.AutoPassthrough.IdleTimeout);
        var match = listener.FilterChains[0].Match;
        Assert.Equal(["legacy.example.com", "*.legacy.example.com"], match.ServerNames);
        Assert.Equal(["h2", "http/1.1"], match.ApplicationProtocols);
        Assert.Equal("legacy", listener.Tcp!.Cluster);
        var reviews = config.Clusters[0];
        Assert.Equal((9080, "v1"), (reviews.ServicePort, reviews.Subset));
    }

    [Fact]
    public void LoadText_AutoPassthroughWithoutSettings_IstioDefaults()
    {
        var config = ConfigLoader.LoadText("listeners: [ { name: g, address: 127.0.0.1:1, protocol: tls, autoPassthrough: {} } ]", "gateway.yaml").GetConfigOrThrow();

        var autoPassthrough = config.Listeners[0].AutoPassthrough!;
        Assert.Equal(["*"], autoPassthrough.Hosts);
        Assert.Equal(["istio", "istio-peer-exchange", "istio-http/1.0", "istio-http/1.1", "istio-h2"], autoPassthrough.ApplicationProtocols);
        Assert.Equal(TimeSpan.FromHours(1), autoPassthrough.IdleTimeout);
    }

    [Fact]
    public void LoadText_EmptyApplicationProtocols_Any()
    {
        var config = ConfigLoader.LoadText("listeners: [ { name: g, address: 127.0.0.1:1, protocol: tls, autoPassthrough: { applicationProtocols: [] } } ]", "gateway.yaml").GetConfigOrThrow();

        Assert.Empty(config.Listeners[0].AutoPassthrough!.ApplicationProtocols);
    }

    [Fact]
    public void DefaultConfigs_Gateway_TlsListenerOn15443WithAutoPassthroughForLocalServices()
    {
        var config = DefaultConfigs.Gateway;

        var listener = Assert.Single(config.Listeners);
        Assert.Equal("[::]:15443", listener.Address.ToString());
        Assert.Equal(ListenerProtocol.Tls, listener.Protocol);
        Assert.Equal(["*.local"], listener.AutoPassthrough!.Hosts);
        Assert.Equal(AutoPassthroughConfig.IstioMtlsApplicationProtocols, listener.AutoPassthrough.ApplicationProtocols);
        Assert.Equal(("127.0.0.1:15000", "0.0.0.0:15021", "0.0.0.0:15090"),
            (config.Admin.Address.ToString(), config.Admin.ReadinessAddress!.ToString(), config.Admin.MetricsAddress!.ToString()));
        Assert.Empty(config.Clusters);
        Assert.Contains("protocol: tls", DefaultConfigs.GatewayYaml, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigDump_Gateway_ShowsServerNamesAutoPassthroughAndServicePorts()
    {
        var config = ConfigLoader.LoadText(Gateway, "gateway.yaml").GetConfigOrThrow();
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            ConfigDumpWriter.Write(json, config, 1);
        }

        using var document = JsonDocument.Parse(Encoding.UTF8.GetString(buffer.ToArray()));
        var listener = document.RootElement.GetProperty("listeners")[0];
        Assert.Equal("tls", listener.GetProperty("protocol").GetString());
        Assert.Equal("*.legacy.example.com", listener.GetProperty("filterChains")[0].GetProperty("match").GetProperty("serverNames")[1].GetString());
        Assert.Equal("http/1.1", listener.GetProperty("filterChains")[0].GetProperty("match").GetProperty("applicationProtocols")[1].GetString());
        Assert.Equal("30m", listener.GetProperty("autoPassthrough").GetProperty("idleTimeout").GetString());
        Assert.Equal("istio", listener.GetProperty("autoPassthrough").GetProperty("applicationProtocols")[0].GetString());
        var cluster = document.RootElement.GetProperty("clusters")[0];
        Assert.Equal("reviews.shop.svc.cluster.local", cluster.GetProperty("service").GetString());
        Assert.Equal(9080, cluster.GetProperty("servicePort").GetInt32());
        Assert.Equal("v1", cluster.GetProperty("subset").GetString());
        Assert.Equal("legacy", document.RootElement.GetProperty("clusters")[1].GetProperty("service").GetString());
    }

    [Theory]
    [InlineData("listeners: [ { name: g, address: 127.0.0.1:1, protocol: tls, filterChains: [ { name: x, match: { serverNames: [\"*w.example.com\"] }, tcp: { cluster: c } } ] } ]\nclusters: [ { name: c } ]",
        "listeners[0].filterChains[0].match.serverNames[0]", "'*w.example.com' has a partial wildcard")]
    [InlineData("listeners: [ { name: g, address: 127.0.0.1:1, protocol: tls, filterChains: [ { name: x, match: { serverNames: [\"*\"] }, tcp: { cluster: c } } ] } ]\nclusters: [ { name: c } ]",
        "listeners[0].filterChains[0].match.serverNames[0]", "'*' is not allowed here; the listener's own tcp takes every name")]
    [InlineData("listeners: [ { name: g, address: 127.0.0.1:1, protocol: tls, autoPassthrough: { hosts: [\"a..local\"] } } ]",
        "listeners[0].autoPassthrough.hosts[0]", "'a..local' is not a DNS name")]
    [InlineData("listeners: [ { name: g, address: 127.0.0.1:1, protocol: tls, autoPassthrough: { applicationProtocols: [\"\"] } } ]",
        "listeners[0].autoPassthrough.applicationProtocols[0]", "'' is not an ALPN protocol name")]
    [InlineData("listeners: [ { name: g, address: 127.0.0.1:1, protocol: tls, autoPassthrough: { idleTimeout: soon } } ]",
        "listeners[0].autoPassthrough.idleTimeout", "'soon' is not a duration")]
    [InlineData("listeners: [ { name: g, address: 127.0.0.1:1, protocol: tls, autoPassthrough: { host: [\"*.local\"] } } ]",
        "listeners[0].autoPassthrough.host", "unknown key 'host'; did you mean 'hosts'?")]
    [InlineData("listeners: [ { name: g, address: 127.0.0.1:1, protocol: tls, capture: inbound, tcp: { cluster: c } } ]\nclusters: [ { name: c } ]",
        "listeners[0].capture", "a tls listener is connected to directly")]
    [InlineData("listeners: [ { name: g, address: 127.0.0.1:1, protocol: tls, http: { routeTable: t }, tcp: { cluster: c } } ]\nrouteTables: [ { name: t } ]\nclusters: [ { name: c } ]",
        "listeners[0].http", "a tls listener passes TLS through without decrypting it")]
    [InlineData("listeners: [ { name: g, address: 127.0.0.1:1, protocol: tls, onDetectionTimeout: tcp, tcp: { cluster: c } } ]\nclusters: [ { name: c } ]",
        "listeners[0].onDetectionTimeout", "a tls listener routes by the ClientHello")]
    [InlineData("listeners: [ { name: g, address: 127.0.0.1:1, protocol: tls, filterChains: [ { name: x, match: { destinationPort: 443, serverNames: [a.example] }, tcp: { cluster: c } } ] } ]\nclusters: [ { name: c } ]",
        "listeners[0].filterChains[0].match", "filter chains of a tls listener match serverNames")]
    [InlineData("listeners: [ { name: g, address: 127.0.0.1:1, protocol: tls, filterChains: [ { name: x, tcp: { cluster: c } } ] } ]\nclusters: [ { name: c } ]",
        "listeners[0].filterChains[0].match.serverNames", "is required on a tls listener")]
    [InlineData("listeners: [ { name: g, address: 127.0.0.1:1, protocol: tls, filterChains: [ { name: x, match: { serverNames: [a.example] }, http: { routeTable: t } } ] } ]\nrouteTables: [ { name: t } ]",
        "listeners[0].filterChains[0].http", "a tls listener passes TLS through without decrypting it")]
    [InlineData("listeners: [ { name: g, address: 127.0.0.1:1, protocol: tls, filterChains: [ { name: x, match: { serverNames: [a.example, \"*.b.example\"] }, tcp: { cluster: c } }, { name: y, match: { serverNames: [\"*.B.example\"] }, tcp: { cluster: c } } ] } ]\nclusters: [ { name: c } ]",
        "listeners[0].filterChains[1].match.serverNames[0]", "'*.B.example' is already routed by filter chain 'x'")]
    [InlineData("listeners: [ { name: g, address: 127.0.0.1:1, protocol: tls } ]",
        "listeners[0]", "has neither http nor tcp")]
    [InlineData("listeners: [ { name: a, address: 127.0.0.1:1, autoPassthrough: {}, tcp: { cluster: c } } ]\nclusters: [ { name: c } ]",
        "listeners[0].autoPassthrough", "applies to tls listeners only")]
    [InlineData("listeners: [ { name: a, address: 127.0.0.1:1, filterChains: [ { name: x, match: { serverNames: [a.example] }, tcp: { cluster: c } } ] } ]\nclusters: [ { name: c } ]",
        "listeners[0].filterChains[0].match", "serverNames and applicationProtocols are matched on tls listeners only")]
    [InlineData("clusters: [ { name: c, servicePort: 0 } ]", "clusters[0].servicePort", "0 is out of range (1 to 65535)")]
    [InlineData("clusters: [ { name: c, servicePort: 80, subset: v_1 } ]", "clusters[0].subset", "'v_1' is not a subset name")]
    [InlineData("clusters: [ { name: c, subset: v1 } ]", "clusters[0].subset", "needs servicePort")]
    [InlineData("clusters: [ { name: c, type: originalDestination, servicePort: 80 } ]", "clusters[0].servicePort", "an originalDestination cluster has no endpoints of its own")]
    [InlineData("clusters: [ { name: c, service: \"my service\", servicePort: 80 } ]", "clusters[0].service", "'my service' does not make a valid TLS server name")]
    [InlineData("clusters: [ { name: a, service: r.local, servicePort: 80 }, { name: b, service: R.local, servicePort: 80 } ]",
        "clusters[1].servicePort", "cluster 'a' already serves this service, port and subset (outbound_.80_._.R.local)")]
    public void LoadText_InvalidSniRouterConfig_ReportsPathAndReason(string yaml, string path, string reason)
    {
        Assert.Contains(LoadBalancerConfigReaderTests.Errors(yaml), e => e.Path == path && e.Message.StartsWith(reason, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("gateway-cluster1.yaml", "outbound_.8080_._.reviews.default.svc.cluster.local,outbound_.8080_.v1_.reviews.default.svc.cluster.local")]
    [InlineData("gateway-cluster2.yaml", "outbound_.8080_._.reviews.default.svc.cluster.local,outbound_.8080_.v2_.reviews.default.svc.cluster.local")]
    public void MulticlusterExample_GatewayConfigs_ValidAndExposeReviews(string file, string names)
    {
        var result = ConfigLoader.LoadFile(TestSupport.RepositoryPaths.Combine("examples", "multicluster", file));

        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
        var config = result.Config!;
        var table = MeshProxy.Gateway.SniRouteTable.Build(config.Listeners[0], config, new MeshProxy.Gateway.SniRouterStats(), version: 1);
        Assert.Equal(names.Split(','), table.ExactNames.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void LoadText_SameSubsetOnTwoPorts_Valid()
    {
        var result = ConfigLoader.LoadText("clusters: [ { name: a, service: r.local, servicePort: 80, subset: v1 }, { name: b, service: r.local, servicePort: 81, subset: v1 }, { name: c, service: r.local, servicePort: 80 } ]", "ok.yaml");

        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
    }
}

using MeshProxy.Configuration;

namespace MeshProxy.Tests.Configuration;

public sealed class ConfigLoaderTests
{
    private const string Valid = """
        node:
          service: shop
          locality: { region: eu, zone: eu-1 }
        listeners:
          - name: web
            address: 127.0.0.1:8080
            http: { routeTable: main }
            tcp: { cluster: backend, idleTimeout: 30m }
        routeTables:
          - name: main
            virtualHosts:
              - name: app
                domains: ["shop.example", "*.shop.example"]
                routes:
                  - name: api
                    match:
                      prefix: /api
                      headers: [ { name: x-canary, exact: "true" } ]
                    weightedClusters:
                      - { cluster: backend, weight: 90 }
                      - { cluster: canary, weight: 10 }
                    timeout: 2s
                  - match: { path: /health, caseSensitive: false }
                    cluster: backend
        clusters:
          - name: backend
            connectTimeout: 250ms
            endpoints:
              - address: 10.0.0.1:80
                weight: 3
                priority: 1
                locality: { region: eu, zone: eu-2 }
                metadata: { version: v1 }
              - address: "[fd00::1]:80"
          - name: canary
            type: originalDestination
        """;

    [Fact]
    public void LoadText_ValidConfig_ReadsEveryField()
    {
        var result = ConfigLoader.LoadText(Valid, "valid.yaml");

        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
        var config = result.Config!;
        Assert.Equal("shop", config.Node.Service);
        Assert.Equal(new LocalityConfig("eu", "eu-1"), config.Node.Locality);
        var listener = Assert.Single(config.Listeners);
        Assert.Equal(8080, listener.Address.Port);
        Assert.Equal(TimeSpan.FromMinutes(30), listener.Tcp!.IdleTimeout);
        var route = config.RouteTables[0].VirtualHosts[0].Routes[0];
        Assert.Equal("api", route.Name);
        Assert.Equal(TimeSpan.FromSeconds(2), route.Timeout);
        Assert.Equal("x-canary", route.Match.Headers[0].Name);
        Assert.Equal([90, 10], route.WeightedClusters.Select(w => w.Weight));
        Assert.False(config.RouteTables[0].VirtualHosts[0].Routes[1].Match.CaseSensitive);
        var backend = config.Clusters[0];
        Assert.Equal(TimeSpan.FromMilliseconds(250), backend.ConnectTimeout);
        Assert.Equal(3, backend.Endpoints[0].Weight);
        Assert.Equal(1, backend.Endpoints[0].Priority);
        Assert.Equal("eu-2", backend.Endpoints[0].Locality.Zone);
        Assert.Equal("v1", backend.Endpoints[0].Metadata.Single(m => m.Key == "version").Value);
        Assert.Equal(System.Net.Sockets.AddressFamily.InterNetworkV6, backend.Endpoints[1].Address.AddressFamily);
        Assert.Equal(ClusterType.OriginalDestination, config.Clusters[1].Type);
    }

    [Fact]
    public void LoadText_Ipv4AnyAndIpv6LoopbackOnOnePort_NoConflict()
    {
        var result = ConfigLoader.LoadText("listeners: [ { name: a, address: 0.0.0.0:9000, tcp: { cluster: c } }, { name: b, address: \"[::1]:9000\", tcp: { cluster: c } } ]\nclusters: [ { name: c } ]", "ok.yaml");

        Assert.True(result.Succeeded, string.Join('\n', result.Errors));
    }

    [Fact]
    public void LoadText_SameTextTwice_ConfigsAreEqual()
    {
        // Reloads compare configs by value to keep unchanged clusters.
        Assert.Equal(ConfigLoader.LoadText(Valid, "a").Config, ConfigLoader.LoadText(Valid, "b").Config);
    }

    [Theory]
    [InlineData("listeners: [ { name: a, address: 127.0.0.1:1, tcp: { cluster: c } } ]\nclusters: [ { name: c, endpoints: [ { address: 1.2.3.4:5, wieght: 2 } ] } ]",
        "clusters[0].endpoints[0].wieght", "unknown key 'wieght'; did you mean 'weight'?")]
    [InlineData("listeners: [ { name: a, address: localhost:80, tcp: { cluster: c } } ]\nclusters: [ { name: c } ]",
        "listeners[0].address", "'localhost' is not an IP address (host names are not resolved here)")]
    [InlineData("listeners: [ { name: a, address: 127.0.0.1:70000, tcp: { cluster: c } } ]\nclusters: [ { name: c } ]",
        "listeners[0].address", "'70000' is not a port (0-65535)")]
    [InlineData("listeners: [ { name: a, address: 127.0.0.1:1, tcp: { cluster: c }, capture: sideways } ]\nclusters: [ { name: c } ]",
        "listeners[0].capture", "'sideways' is not one of: none, outbound, inbound")]
    [InlineData("clusters: [ { name: c, endpoints: [ { address: 1.2.3.4:5, weight: 0 } ] } ]",
        "clusters[0].endpoints[0].weight", "0 is out of range (1 to 128)")]
    [InlineData("clusters: [ { name: c, connectTimeout: 0s } ]",
        "clusters[0].connectTimeout", "0s is too short; the minimum is 1ms")]
    [InlineData("clusters: [ { endpoints: [] } ]", "clusters[0].name", "is required")]
    [InlineData("clusters: { name: c }", "clusters", "expected a list, found a mapping")]
    [InlineData("listeners: [ { name: a, address: 127.0.0.1:1 } ]", "listeners[0]", "has neither http nor tcp, so it would close every connection")]
    [InlineData("listeners: [ { name: a, address: 127.0.0.1:1, http: { routeTable: t } } ]", "listeners[0].http.routeTable", "no route table is named 't'")]
    [InlineData("listeners: [ { name: a, address: 127.0.0.1:1, protocol: tcp, http: { routeTable: t } } ]\nrouteTables: [ { name: t } ]", "listeners[0].tcp", "is required when protocol is tcp")]
    [InlineData("routeTables: [ { name: t, virtualHosts: [ { name: v, domains: [\"a.*.b\"], routes: [] } ] } ]",
        "routeTables[0].virtualHosts[0].domains[0]", "'a.*.b': a wildcard may only be the whole domain, its first character or its last")]
    [InlineData("routeTables: [ { name: t, virtualHosts: [ { name: v, domains: [x], routes: [] }, { name: w, domains: [X], routes: [] } ] } ]",
        "routeTables[0].virtualHosts[1].domains[0]", "domain 'X' is already served by virtual host 'v'")]
    [InlineData("routeTables: [ { name: t, virtualHosts: [ { name: v, domains: [x], routes: [ { match: { prefix: /, path: /a }, cluster: c } ] } ] } ]\nclusters: [ { name: c } ]",
        "routeTables[0].virtualHosts[0].routes[0].match", "set either prefix or path, not both")]
    [InlineData("routeTables: [ { name: t, virtualHosts: [ { name: v, domains: [x], routes: [ { match: { headers: [ { name: h } ] }, cluster: c } ] } ] } ]\nclusters: [ { name: c } ]",
        "routeTables[0].virtualHosts[0].routes[0].match.headers[0]", "set exactly one of exact, prefix or present")]
    [InlineData("routeTables: [ { name: t, virtualHosts: [ { name: v, domains: [x], routes: [ { cluster: c, weightedClusters: [ { cluster: c, weight: 1 } ] } ] } ] } ]\nclusters: [ { name: c } ]",
        "routeTables[0].virtualHosts[0].routes[0]", "set exactly one of cluster, weightedClusters or directResponse")]
    [InlineData("routeTables: [ { name: t, virtualHosts: [ { name: v, domains: [x], routes: [ { weightedClusters: [ { cluster: c, weight: 0 } ] } ] } ] } ]\nclusters: [ { name: c } ]",
        "routeTables[0].virtualHosts[0].routes[0].weightedClusters", "the weights add up to 0, so no request could be routed")]
    [InlineData("clusters: [ { name: c, type: originalDestination, endpoints: [ { address: 1.2.3.4:5 } ] } ]",
        "clusters[0].endpoints", "an originalDestination cluster takes its endpoint from each connection; remove the endpoints")]
    [InlineData("clusters: [ { name: c, endpoints: [ { address: 1.2.3.4:5 }, { address: 1.2.3.4:5 } ] } ]",
        "clusters[0].endpoints[1].address", "1.2.3.4:5 is listed twice")]
    [InlineData("clusters: [ { name: c, type: originalDestination, originalDestinationOverride: [127.0.0.1, 127.0.0.2] } ]",
        "clusters[0].originalDestinationOverride", "give at most one address per family")]
    [InlineData("clusters: [ { name: c, lbPolicy: fastest } ]", "clusters[0].lbPolicy", "'fastest' is not a load-balancing policy")]
    [InlineData("clusters: [ { name: c }, { name: c } ]", "clusters[1].name", "cluster name 'c' is used twice")]
    [InlineData("listeners: [ { name: a, address: 0.0.0.0:9000, tcp: { cluster: c } }, { name: b, address: 127.0.0.1:9000, tcp: { cluster: c } } ]\nclusters: [ { name: c } ]",
        "listeners[1].address", "127.0.0.1:9000 is already used by listener 'a'")]
    [InlineData("admin: { address: 127.0.0.1:9000 }\nlisteners: [ { name: a, address: 127.0.0.1:9000, tcp: { cluster: c } } ]\nclusters: [ { name: c } ]",
        "listeners[0].address", "127.0.0.1:9000 is already used by admin.address")]
    [InlineData("listeners: [ { name: a, address: 127.0.0.1:1, outboundPolicy: registryOnly, tcp: { cluster: c } } ]\nclusters: [ { name: c } ]",
        "listeners[0].outboundPolicy", "registryOnly applies to outbound capture listeners")]
    [InlineData("listeners: [ { name: a, address: 127.0.0.1:1, capture: outbound, outboundPolicy: registryOnly, tcp: { cluster: c } } ]\nclusters: [ { name: c } ]",
        "listeners[0].outboundPolicy", "with registryOnly, traffic no filter chain matches is blocked")]
    [InlineData("listeners: [ { name: a, address: 127.0.0.1:1, filterChains: [ { name: x, match: { destinationPort: 80 }, tcp: { cluster: c } }, { name: y, match: { destinationPort: 80 }, tcp: { cluster: c } } ] } ]\nclusters: [ { name: c } ]",
        "listeners[0].filterChains[1].match", "matches exactly what filter chain 'x' matches")]
    [InlineData("listeners: [ { name: a, address: 127.0.0.1:1, filterChains: [ { name: x, match: { destinationAddresses: [10.0.0.0/33] }, tcp: { cluster: c } } ] } ]\nclusters: [ { name: c } ]",
        "listeners[0].filterChains[0].match.destinationAddresses[0]", "'10.0.0.0/33' is not an address range")]
    [InlineData("listeners: [ { name: a, address: 127.0.0.1:1, filterChains: [ { name: x, tcp: { cluster: nope } } ] } ]",
        "listeners[0].filterChains[0].tcp.cluster", "no cluster is named 'nope'")]
    [InlineData("listeners: [ { name: a, address: 127.0.0.1:1, filterChains: [ { name: x } ] } ]",
        "listeners[0].filterChains[0]", "has neither http nor tcp")]
    [InlineData("routeTables: [ { name: t, virtualHosts: [ { name: v, domains: [x], routes: [ { directResponse: { status: 99 } } ] } ] } ]",
        "routeTables[0].virtualHosts[0].routes[0].directResponse.status", "99 is out of range (200 to 599)")]
    [InlineData("listeners: [ { name: a, address: \"[::]:9000\", tcp: { cluster: c } }, { name: b, address: 10.0.0.1:9000, tcp: { cluster: c } } ]\nclusters: [ { name: c } ]",
        "listeners[1].address", "10.0.0.1:9000 is already used by listener 'a'")]
    public void LoadText_InvalidConfig_ReportsPathAndReason(string yaml, string path, string reason)
    {
        var result = ConfigLoader.LoadText(yaml, "bad.yaml");

        Assert.False(result.Succeeded);
        Assert.Contains(result.Errors, e => e.Path == path && e.Message.StartsWith(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void LoadText_SeveralErrors_ReportsAllInOnePassWithLineAndColumn()
    {
        var yaml = """
            listeners:
              - name: a
                address: 127.0.0.1:1
                tcp: { cluster: missing }
            clusters:
              - name: c
                connectTimeout: soon
                bogus: 1
            """;

        var errors = ConfigLoader.LoadText(yaml, "multi.yaml").Errors;

        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.ToString() == "multi.yaml:7:21: clusters[0].connectTimeout: 'soon' is not a duration; write for example 250ms, 5s, 1m30s or 1h");
        Assert.Contains(errors, e => e.Line == 8 && e.Column == 5 && e.Path == "clusters[0].bogus");
        Assert.Contains(errors, e => e.Line == 4 && e.Path == "listeners[0].tcp.cluster" && e.Message == "no cluster is named 'missing'");
    }

    [Theory]
    [InlineData("listeners: [ unclosed", "YAML syntax error")]
    [InlineData("", "the file is empty")]
    [InlineData("a: 1\n---\nb: 2", "expected one YAML document")]
    [InlineData("- just\n- a list", "expected a mapping")]
    public void LoadText_NotAConfigDocument_ClearError(string yaml, string message)
    {
        var result = ConfigLoader.LoadText(yaml, "odd.yaml");

        Assert.False(result.Succeeded);
        Assert.Contains(message, Assert.Single(result.Errors).Message);
    }

    [Fact]
    public void LoadFile_Missing_ReportsFile()
    {
        var result = ConfigLoader.LoadFile("/nonexistent/meshproxy.yaml");

        Assert.StartsWith("/nonexistent/meshproxy.yaml: cannot read the file", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void DefaultConfigs_Sidecar_IsValidCaptureConfig()
    {
        var config = DefaultConfigs.Sidecar;

        Assert.Equal([CaptureMode.Outbound, CaptureMode.Inbound], config.Listeners.Select(l => l.Capture));
        Assert.Equal([15001, 15006], config.Listeners.Select(l => l.Address.Port));
        Assert.All(config.Listeners, l => Assert.Equal(System.Net.IPAddress.IPv6Any, l.Address.Address));
        var inbound = config.Clusters.Single(c => c.Name == "InboundPassthroughCluster");
        Assert.Equal(["127.0.0.6", "::6"], inbound.SourceAddresses.Select(a => a.ToString()));
        Assert.Equal(["127.0.0.1", "::1"], inbound.OriginalDestinationOverrides.Select(a => a.ToString()));
    }

    [Fact]
    public void Examples_EveryFileInExamples_IsValid()
    {
        var examples = Directory.GetFiles(TestSupport.RepositoryPaths.Combine("examples"), "*.yaml")
            .Where(f => !Path.GetFileName(f).StartsWith("topology", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(examples);
        foreach (var file in examples)
        {
            var result = ConfigLoader.LoadFile(file);
            Assert.True(result.Succeeded, string.Join('\n', result.Errors));
        }
    }
}

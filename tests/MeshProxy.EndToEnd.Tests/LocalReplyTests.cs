using System.Net;
using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>Envoy's local replies: 404 NR, 503 UH, 503 UF, 504 UT.</summary>
public sealed class LocalReplyTests
{
    private static string Config(string clusterBody, string routeTimeout = "15s", string vhostDomains = "\"*\"") => $$"""
        listeners:
          - name: web
            address: 127.0.0.1:0
            http: { routeTable: main }
        routeTables:
          - name: main
            virtualHosts:
              - name: app
                domains: [{{vhostDomains}}]
                routes:
                  - match: { prefix: /api }
                    cluster: backend
                  - match: { prefix: /delay }
                    cluster: backend
                    timeout: {{routeTimeout}}
        clusters:
          - name: backend
        {{clusterBody}}
        """;

    [Fact]
    public async Task NoMatchingPath_Returns404()
    {
        await using var proxy = await ProxyTestHost.StartAsync(Config("    endpoints: []"));

        var result = await Curl.RunAsync("-o", "/dev/null", "-w", "%{http_code}", proxy.ListenerUri("web", "/other").ToString());

        Assert.Equal("404", result.StandardOutput.Trim());
    }

    [Fact]
    public async Task NoMatchingHost_Returns404()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var proxy = await ProxyTestHost.StartAsync(Config($"    endpoints: [ {{ address: {backend.Http1Address} }} ]", vhostDomains: "api.example"));

        var known = await Curl.RunAsync("-s", "-o", "/dev/null", "-w", "%{http_code} %header{x-backend}", "-H", "Host: api.example", proxy.ListenerUri("web", "/delay/0").ToString());
        var unknown = await Curl.RunAsync("-s", "-o", "/dev/null", "-w", "%{http_code} %header{x-backend}", "-H", "Host: other.example", proxy.ListenerUri("web", "/delay/0").ToString());

        Assert.Equal("200 backend", known.StandardOutput.Trim());
        Assert.Equal("404", unknown.StandardOutput.Trim());
    }

    [Fact]
    public async Task ClusterWithoutEndpoints_Returns503NoHealthyUpstream()
    {
        await using var proxy = await ProxyTestHost.StartAsync(Config("    endpoints: []"));

        var result = await Curl.RunAsync("-w", "\n%{http_code}", proxy.ListenerUri("web", "/api").ToString());

        Assert.Equal("no healthy upstream\n503", result.StandardOutput.Trim());
    }

    [Fact]
    public async Task EndpointRefusesConnection_Returns503ConnectionFailure()
    {
        using var refusing = new RefusingPort();
        await using var proxy = await ProxyTestHost.StartAsync(Config($"    endpoints: [ {{ address: {refusing.Address} }} ]"));

        var result = await Curl.RunAsync("-w", "\n%{http_code}", proxy.ListenerUri("web", "/api").ToString());

        Assert.Equal("upstream connect error or disconnect/reset before headers. reset reason: connection failure\n503", result.StandardOutput.Trim());
        Assert.Contains(proxy.Logs.Lines, l => l.EventId == MeshProxy.Telemetry.EventIds.UpstreamRequestFailed);
    }

    [Fact]
    public async Task SlowBackend_RouteTimeout_Returns504()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var proxy = await ProxyTestHost.StartAsync(Config($"    endpoints: [ {{ address: {backend.Http1Address} }} ]", routeTimeout: "300ms"));

        var started = TimeProvider.System.GetTimestamp();
        var result = await Curl.RunAsync("-w", "\n%{http_code}", proxy.ListenerUri("web", "/delay/3000").ToString());
        var elapsed = TimeProvider.System.GetElapsedTime(started);

        Assert.Equal("upstream request timeout\n504", result.StandardOutput.Trim());
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2.5));
    }
}

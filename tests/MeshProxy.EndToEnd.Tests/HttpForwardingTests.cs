using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>HTTP/1.1 and h2c through the proxy with real clients: curl and h2load.</summary>
public sealed class HttpForwardingTests
{
    [Fact]
    public async Task Curl_Http11_ReachesBackendWithProxyHeaders()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var proxy = await ProxyTestHost.StartAsync(ProxyYaml.SingleRoute(backend.Http1Address));

        var result = await Curl.RunAsync("--http1.1", "-H", "Host: shop.example", "-H", "x-forwarded-for: 203.0.113.7",
            "-D", "-", proxy.ListenerUri("web", "/echo?q=1").ToString());

        Assert.Equal(0, result.ExitCode);
        var output = result.StandardOutput;
        Assert.Contains("HTTP/1.1 200", output);
        Assert.Contains("protocol: HTTP/1.1", output);
        Assert.Contains("path: /echo?q=1", output);
        Assert.Contains("host: shop.example", output);
        Assert.Contains("x-forwarded-for: 203.0.113.7, 127.0.0.1", output);
        Assert.Contains("x-forwarded-proto: http", output);
        Assert.Matches(@"x-request-id: [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", output);
        Assert.Matches(@"(?i)x-envoy-upstream-service-time: \d+", output);
    }

    [Fact]
    public async Task Curl_Http11_KeepsClientRequestId()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var proxy = await ProxyTestHost.StartAsync(ProxyYaml.SingleRoute(backend.Http1Address));

        var result = await Curl.RunAsync("-H", "x-request-id: my-id-42", proxy.ListenerUri("web", "/echo").ToString());

        Assert.Contains("x-request-id: my-id-42\n", result.StandardOutput);
    }

    [Fact]
    public async Task Curl_H2cPriorKnowledge_ForwardsAsHttp2()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var proxy = await ProxyTestHost.StartAsync(ProxyYaml.SingleRoute(backend.H2cAddress));

        var result = await Curl.RunAsync("--http2-prior-knowledge", "-D", "-", proxy.ListenerUri("web", "/echo").ToString());

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("HTTP/2 200", result.StandardOutput);
        Assert.Contains("protocol: HTTP/2", result.StandardOutput);
    }

    [Fact]
    public async Task Curl_Http11AndH2cOnOneListener_BothServed()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var proxy = await ProxyTestHost.StartAsync(ProxyYaml.SingleRoute(backend.Http1Address, clusterExtra: "    httpProtocol: http1"));

        var h2c = await Curl.RunAsync("--http2-prior-knowledge", "-D", "-", proxy.ListenerUri("web", "/echo").ToString());
        var h1 = await Curl.RunAsync("--http1.1", "-D", "-", proxy.ListenerUri("web", "/echo").ToString());

        Assert.Contains("HTTP/2 200", h2c.StandardOutput);
        Assert.Contains("HTTP/1.1 200", h1.StandardOutput);
        // The cluster pins HTTP/1.1 upstream, whatever the client spoke.
        Assert.Contains("protocol: HTTP/1.1", h2c.StandardOutput);
    }

    [Fact]
    public async Task H2load_Http11KeepAlive_AllRequestsSucceed()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var proxy = await ProxyTestHost.StartAsync(ProxyYaml.SingleRoute(backend.Http1Address));

        var result = await ProcessRunner.RunAsync(Tools.Require("h2load"),
            ["--h1", "-n", "400", "-c", "4", proxy.ListenerUri("web", "/echo").ToString()], TimeSpan.FromSeconds(60));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("400 succeeded, 0 failed, 0 errored", result.StandardOutput);
        Assert.Contains("status codes: 400 2xx", result.StandardOutput);
    }

    [Fact]
    public async Task H2load_H2cMultiplexed_AllRequestsSucceed()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var proxy = await ProxyTestHost.StartAsync(ProxyYaml.SingleRoute(backend.H2cAddress));

        var result = await ProcessRunner.RunAsync(Tools.Require("h2load"),
            ["-n", "400", "-c", "2", "-m", "10", proxy.ListenerUri("web", "/echo").ToString()], TimeSpan.FromSeconds(60));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("400 succeeded, 0 failed, 0 errored", result.StandardOutput);
        Assert.Contains("h2c", result.StandardOutput);
    }
}

using System.Net.Http;
using MeshProxy.Telemetry;
using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>What a peer sends wrong closes that connection only; the proxy and other connections carry on.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private TestBackend _backend = null!;
    private ProxyTestHost _proxy = null!;

    public async ValueTask InitializeAsync()
    {
        _backend = await TestBackend.StartAsync();
        // 2 s, not less: the tests that keep an idle healthy connection open while a bad one is answered need it to
        // outlive that answer on a loaded machine (seen at 0.6-1 s with the whole suite running on 2 cores).
        _proxy = await ProxyTestHost.StartAsync(ProxyYaml.SingleRoute(_backend.Http1Address).Replace(
            "http: { routeTable: main }", "http: { routeTable: main }\n    detectionTimeout: 2s", StringComparison.Ordinal));
    }

    public async ValueTask DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task MalformedRequestLine_Gets400AndClose_OtherConnectionUnaffected()
    {
        using var healthy = await RawConnection.ConnectAsync(_proxy.Listener("web"));
        await healthy.SendAsync("GET /echo HTTP/1.1\r\nHost: a\r\n\r\n");

        using var bad = await RawConnection.ConnectAsync(_proxy.Listener("web"));
        await bad.SendAsync("GET /has space in it HTTP/1.1\r\nHost: a\r\n\r\n");
        var (response, closed) = await bad.ReadUntilClosedAsync(TimeSpan.FromSeconds(10));

        Assert.StartsWith("HTTP/1.1 400 Bad Request", response);
        Assert.True(closed);
        await AssertStillServesAsync(healthy);
    }

    [Fact]
    public async Task HeadersOver60KiB_Get431AndClose()
    {
        using var bad = await RawConnection.ConnectAsync(_proxy.Listener("web"));
        await bad.SendAsync($"GET /echo HTTP/1.1\r\nHost: a\r\nx-big: {new string('a', 61 * 1024)}\r\n\r\n");
        var (response, closed) = await bad.ReadUntilClosedAsync(TimeSpan.FromSeconds(10));

        Assert.StartsWith("HTTP/1.1 431 Request Header Fields Too Large", response);
        Assert.True(closed);
    }

    [Fact]
    public async Task HeadersUnder60KiB_Accepted()
    {
        var result = await Curl.RunAsync("-o", "/dev/null", "-w", "%{http_code}", "-H", $"x-big: {new string('a', 50 * 1024)}", _proxy.ListenerUri("web", "/echo").ToString());

        Assert.Equal("200", result.StandardOutput.Trim());
    }

    [Fact]
    public async Task InvalidChunking_Gets400AndClose_OtherConnectionUnaffected()
    {
        using var healthy = await RawConnection.ConnectAsync(_proxy.Listener("web"));
        using var bad = await RawConnection.ConnectAsync(_proxy.Listener("web"));
        await bad.SendAsync("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nnot-hex\r\n");
        var (response, closed) = await bad.ReadUntilClosedAsync(TimeSpan.FromSeconds(10));

        Assert.StartsWith("HTTP/1.1 400 Bad Request", response);
        Assert.True(closed);
        await healthy.SendAsync("GET /echo HTTP/1.1\r\nHost: a\r\n\r\n");
        await AssertStillServesAsync(healthy);
    }

    [Fact]
    public async Task UpstreamResetMidResponse_ClientSeesResetAndProxyLogsIt()
    {
        using var client = new HttpClient();

        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var response = await client.GetAsync(_proxy.ListenerUri("web", "/reset"));
            await response.Content.ReadAsByteArrayAsync();
        });

        Assert.True(error is HttpRequestException or HttpIOException or IOException, error.ToString());
        await _proxy.Logs.WaitForAsync(EventIds.UpstreamResetMidResponse, TimeSpan.FromSeconds(10));
        var result = await Curl.RunAsync("-o", "/dev/null", "-w", "%{http_code}", _proxy.ListenerUri("web", "/echo").ToString());
        Assert.Equal("200", result.StandardOutput.Trim());
    }

    [Fact]
    public async Task UpstreamResetMidResponse_Http2Client_OnlyThatStreamIsReset()
    {
        await using var h2Backend = await TestBackend.StartAsync("h2");
        await using var proxy = await ProxyTestHost.StartAsync(ProxyYaml.SingleRoute(h2Backend.H2cAddress));
        using var client = new HttpClient(new SocketsHttpHandler { EnableMultipleHttp2Connections = false })
        {
            DefaultRequestVersion = System.Net.HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        // Both requests share one HTTP/2 connection to the proxy.
        var slow = client.GetAsync(proxy.ListenerUri("web", "/delay/800"));
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var response = await client.GetAsync(proxy.ListenerUri("web", "/reset"));
            await response.Content.ReadAsByteArrayAsync();
        });
        using var other = await slow.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(error is HttpRequestException or HttpIOException or IOException, error.ToString());
        Assert.Equal(System.Net.HttpStatusCode.OK, other.StatusCode);
        Assert.Equal("delayed\n", await other.Content.ReadAsStringAsync());
        await proxy.Logs.WaitForAsync(EventIds.UpstreamResetMidResponse, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task SilentClient_ClosedAfterDetectionTimeout()
    {
        using var silent = await RawConnection.ConnectAsync(_proxy.Listener("web"));
        var started = TimeProvider.System.GetTimestamp();

        var (text, closed) = await silent.ReadUntilClosedAsync(TimeSpan.FromSeconds(10));

        Assert.True(closed);
        Assert.Equal("", text);
        Assert.InRange(TimeProvider.System.GetElapsedTime(started), TimeSpan.FromMilliseconds(1900), TimeSpan.FromSeconds(8));
    }

    private static async Task AssertStillServesAsync(RawConnection connection)
    {
        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var read = await connection.Socket.ReceiveAsync(buffer, deadline.Token);
        Assert.StartsWith("HTTP/1.1 200 OK", System.Text.Encoding.ASCII.GetString(buffer, 0, read));
    }
}

using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>
/// What the east-west gateway refuses, and how each refusal is counted: a name no route knows, a mesh name without
/// Istio's ALPN, no server name, bytes that are not TLS, a ClientHello over the size limit, a client that never finishes
/// its ClientHello (closed at the timeout), and one that leaves halfway. Nothing reaches a backend.
/// </summary>
public sealed class SniRefusalTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static readonly string[] RefusalCounters =
    [
        "listener.eastwest.no_filter_chain_match",
        "listener.eastwest.tls_inspector.sni_not_found",
        "listener.eastwest.tls_inspector.tls_not_found",
        "listener.eastwest.tls_inspector.client_hello_too_large",
        "listener.eastwest.tls_inspector.connection_closed",
        "listener.eastwest.downstream_cx_detection_timeout",
    ];

    [Fact]
    public async Task UnknownName_NoDefaultCluster_ClosedCountedAndLoggedAsNR()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        var result = await OpenSslAsync(bed, "-servername", "nobody.example.org");

        Assert.NotEqual(0, result.ExitCode);
        await AssertOnlyRefusalAsync(bed, "listener.eastwest.no_filter_chain_match");
        using var entry = JsonDocument.Parse((await bed.AccessLogLinesAsync(1))[0]);
        Assert.Equal(("NR", "nobody.example.org"), (entry.RootElement.GetProperty("response_flags").GetString(), entry.RootElement.GetProperty("requested_server_name").GetString()));
        var samples = await bed.ScrapeAsync();
        Assert.Equal(1, Assert.Single(samples, s => s.Name == "envoy_listener_no_filter_chain_match_total").Value);
        var refused = Assert.Single(samples, s => s.Name == "istio_tcp_connections_closed_total");
        Assert.Equal(("NR", "unknown"), (refused.Label("response_flags"), refused.Label("destination_service")));
    }

    [Fact]
    public async Task MeshNameWithoutIstioAlpn_Refused()
    {
        await using var bed = await GatewayTestBed.StartAsync();

        var handshake = await Record.ExceptionAsync(() => bed.ConnectMutualTlsAsync(GatewayTestBed.ReviewsServerName, "h2", "http/1.1"));

        Assert.True(handshake is AuthenticationException or IOException, $"expected the handshake to fail, got {handshake}");
        await AssertOnlyRefusalAsync(bed, "listener.eastwest.no_filter_chain_match");
    }

    [Fact]
    public async Task NoServerName_ClosedAndCounted()
    {
        await using var bed = await GatewayTestBed.StartAsync(defaultCluster: true);

        var result = await OpenSslAsync(bed, "-noservername");

        Assert.NotEqual(0, result.ExitCode);
        // Not even the default cluster: a passthrough gateway has nothing to route a nameless hello by.
        await AssertOnlyRefusalAsync(bed, "listener.eastwest.tls_inspector.sni_not_found");
    }

    [Fact]
    public async Task NotTls_HttpRequest_ClosedWithoutAnswer()
    {
        await using var bed = await GatewayTestBed.StartAsync(defaultCluster: true);
        using var client = await RawConnection.ConnectAsync(bed.Gateway);

        await client.SendAsync("GET / HTTP/1.1\r\nHost: reviews\r\n\r\n");
        var (text, closed) = await client.ReadUntilClosedAsync(Timeout);

        Assert.Equal(("", true), (text, closed));
        await AssertOnlyRefusalAsync(bed, "listener.eastwest.tls_inspector.tls_not_found");
    }

    [Fact]
    public async Task ClientHelloOverTheLimit_ClosedFromItsHeaders()
    {
        await using var bed = await GatewayTestBed.StartAsync(defaultCluster: true);
        using var client = await RawConnection.ConnectAsync(bed.Gateway);

        // A handshake record announcing a 20,480-byte ClientHello: over the 16 KiB limit before its body arrives.
        await client.SendAsync([0x16, 0x03, 0x01, 0x40, 0x00, 0x01, 0x00, 0x50, 0x00, 0x03, 0x03]);
        var (text, closed) = await client.ReadUntilClosedAsync(Timeout);

        Assert.Equal(("", true), (text, closed));
        await AssertOnlyRefusalAsync(bed, "listener.eastwest.tls_inspector.client_hello_too_large");
    }

    [Fact]
    public async Task SlowClient_NeverFinishesItsClientHello_ClosedAtTheTimeout()
    {
        await using var bed = await GatewayTestBed.StartAsync(defaultCluster: true, detectionTimeout: "600ms");
        using var client = await RawConnection.ConnectAsync(bed.Gateway);
        var stopwatch = Stopwatch.StartNew();

        await client.SendAsync(ClientHelloPrefix);
        var (text, closed) = await client.ReadUntilClosedAsync(Timeout);

        Assert.Equal(("", true), (text, closed));
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10));
        await AssertOnlyRefusalAsync(bed, "listener.eastwest.downstream_cx_detection_timeout");
    }

    [Fact]
    public async Task ClientLeavesHalfwayThroughItsClientHello_Counted()
    {
        await using var bed = await GatewayTestBed.StartAsync(defaultCluster: true);
        using var client = await RawConnection.ConnectAsync(bed.Gateway);

        await client.SendAsync(ClientHelloPrefix);
        client.Socket.Shutdown(SocketShutdown.Send);
        var (_, closed) = await client.ReadUntilClosedAsync(Timeout);

        Assert.True(closed);
        await AssertOnlyRefusalAsync(bed, "listener.eastwest.tls_inspector.connection_closed");
    }

    /// <summary>The first 11 bytes of a ClientHello: a record header, a handshake header announcing 508 bytes, and the version.</summary>
    private static byte[] ClientHelloPrefix => [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03];

    private static Task<ProcessResult> OpenSslAsync(GatewayTestBed bed, params string[] arguments) => ProcessRunner.RunAsync(Tools.Require("openssl"),
        ["s_client", "-connect", bed.Gateway.ToString(), "-CAfile", bed.Pki.RootPem, .. arguments], Timeout, standardInput: "");

    /// <summary>The refusal named is counted once, no other is, and no backend saw a connection.</summary>
    private static async Task AssertOnlyRefusalAsync(GatewayTestBed bed, string counter)
    {
        var stats = await bed.StatsAsync();
        Assert.Equal(RefusalCounters.ToDictionary(name => name, name => name == counter ? 1L : 0L), RefusalCounters.ToDictionary(name => name, name => stats[name]));
        Assert.Empty(bed.Reviews.Records.Concat(bed.Shop.Records).Concat(bed.Fallback.Records));
        Assert.Equal(0, stats["listener.eastwest.downstream_cx_active"]);
    }
}

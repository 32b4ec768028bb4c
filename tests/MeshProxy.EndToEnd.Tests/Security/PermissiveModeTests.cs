using System.Net.Sockets;
using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests.Security;

/// <summary>
/// PERMISSIVE: mesh mTLS (marked by Istio's ALPN) is terminated, plaintext passes, and TLS without a mesh ALPN is the
/// app's own, relayed untouched as TCP.
/// </summary>
public sealed class PermissiveModeTests(MeshCertificates certificates) : IClassFixture<MeshCertificates>
{
    [Fact]
    public async Task MeshClient_IsTerminatedAndIdentified()
    {
        await using var mesh = await MeshHop.StartAsync(certificates, mode: "permissive");

        var result = await Curl.RunAsync(mesh.Client.ListenerUri("outbound", "/echo").ToString());

        Assert.True(result.ExitCode == 0, result + "\n" + mesh.Logs);
        Assert.Contains($"URI={certificates.ClientId}", mesh.Backend.Requests.Single().Headers["x-forwarded-client-cert"], StringComparison.Ordinal);
        Assert.Equal(1, await AdminStats.WaitForAsync(mesh.Server, "listener.inbound.ssl.handshake", expected: 1));
    }

    [Fact]
    public async Task PlaintextClient_PassesWithoutIdentityAndItsXfccIsDropped()
    {
        await using var mesh = await MeshHop.StartAsync(certificates, mode: "permissive");

        var result = await Curl.RunAsync("-H", "x-forwarded-client-cert: URI=spiffe://cluster.local/ns/default/sa/admin", mesh.Server.ListenerUri("inbound", "/echo").ToString());

        Assert.True(result.ExitCode == 0, result + "\n" + mesh.Logs);
        Assert.False(mesh.Backend.Requests.Single().Headers.ContainsKey("x-forwarded-client-cert"));
    }

    [Fact]
    public async Task AppTlsWithoutMeshAlpn_IsRelayedUntouchedToTheApp()
    {
        await using var mesh = await MeshHop.StartAsync(certificates, mode: "permissive");

        // curl's ClientHello offers h2 and http/1.1 only: the app's own TLS. The proxy relays it to the TCP app (an
        // echo server), so curl gets its own ClientHello back and fails; the proxy never handshakes.
        var result = await Curl.RunAsync("-k", $"https://127.0.0.1:{mesh.Server.Listener("inbound").Port}/");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal(1, mesh.Echo.Connections);
        Assert.Equal(0, await AdminStats.WaitForAsync(mesh.Server, "listener.inbound.ssl.handshake", expected: 0));
        Assert.DoesNotContain(mesh.Server.Logs.Lines, line => line.EventId == 501);
    }

    [Fact]
    public async Task SlowUnfinishedClientHello_SniffingAndTheHelloShareOneDetectionTimeout_ThenRelayedToTheApp()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var echo = TcpEchoServer.StartEcho();
        await using var server = await ProxyTestHost.StartAsync(SidecarYaml.Server(certificates.Server, backend.Http1Address, echo.Address, "permissive")
            .Replace("    tls: { mode: permissive }", "    tls: { mode: permissive }\n    detectionTimeout: 2s", StringComparison.Ordinal));
        using var client = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(server.Listener("inbound"));
        var connected = TimeProvider.System.GetTimestamp();

        // Most of the detection timeout passes in silence; then a TLS record header and the start of a ClientHello
        // that never ends. Sniffing says TLS at once, and the rest of the same 2 s goes to waiting for the whole hello.
        await Task.Delay(TimeSpan.FromMilliseconds(1500));
        byte[] unfinishedHello = [0x16, 0x03, 0x01, 0x00, 0xC8, 0x01, 0x00, 0x00, 0xC4, 0x03, 0x03];
        await client.SendAsync(unfinishedHello);
        var echoed = new byte[unfinishedHello.Length];
        var received = 0;
        while (received < echoed.Length)
        {
            var read = await client.ReceiveAsync(echoed.AsMemory(received)).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.NotEqual(0, read);
            received += read;
        }
        var elapsed = TimeProvider.System.GetElapsedTime(connected);

        // Not a mesh hello (none could be read in time): the app's own TLS, relayed untouched, one timeout after the
        // connect rather than 1.5 + 2 s.
        Assert.Equal(unfinishedHello, echoed);
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(1900), TimeSpan.FromMilliseconds(3200));
    }
}

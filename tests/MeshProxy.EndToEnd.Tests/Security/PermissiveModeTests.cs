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
}

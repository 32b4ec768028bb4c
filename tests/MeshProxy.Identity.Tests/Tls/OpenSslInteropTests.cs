using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using MeshProxy.Identity.Authority;
using MeshProxy.Identity.Tests.Support;
using MeshProxy.Identity.Tls;
using MeshProxy.TestSupport;
using Xunit;

namespace MeshProxy.Identity.Tests.Tls;

/// <summary>openssl s_client, a client we did not write, against an SslStream server built with our options.</summary>
public class OpenSslInteropTests
{
    [Fact]
    public async Task SClient_WithSvidAndBundle_MutualTlsWithH2AndServerSeesItsSpiffeId()
    {
        using var dir = new TempDirectory();
        var root = CertificateAuthority.CreateRoot(TestIdentities.ClusterLocal);
        var intermediate = root.CreateIntermediate("cluster1");
        CertificateAuthorityFiles.WriteSvid(intermediate.Issue(TestIdentities.Client), intermediate, dir.Path);
        var builder = TestIdentities.Builder(TestIdentities.Source(root, TestIdentities.Server));
        var peer = new PeerVerification();

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var server = ServeOnceAsync(listener, builder.CreateServerOptions(new SpiffeTlsServerPolicy(), peer), deadline.Token);

        var result = await ProcessRunner.RunAsync(OpenSsl.Path,
            ["s_client", "-connect", $"127.0.0.1:{port}", "-cert", dir.File("svid.pem"), "-cert_chain", dir.File("svid.pem"), "-key", dir.File("svid-key.pem"),
             "-CAfile", dir.File("bundle.pem"), "-alpn", "h2", "-verify_return_error", "-ign_eof"],
            TimeSpan.FromSeconds(30), standardInput: "", cancellationToken: TestContext.Current.CancellationToken);
        var negotiated = await server;

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Verify return code: 0 (ok)", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("ALPN protocol: h2", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("hello from meshproxy", result.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(SslApplicationProtocol.Http2, negotiated);
        Assert.Equal(TestIdentities.Client, peer.PeerId);
    }

    [Fact]
    public async Task SClient_WithoutCertificate_ServerRefuses()
    {
        using var dir = new TempDirectory();
        var root = CertificateAuthority.CreateRoot(TestIdentities.ClusterLocal);
        File.WriteAllText(dir.File("bundle.pem"), root.Bundle.ToPem());
        var builder = TestIdentities.Builder(TestIdentities.Source(root, TestIdentities.Server));
        var peer = new PeerVerification();

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var server = ServeOnceAsync(listener, builder.CreateServerOptions(new SpiffeTlsServerPolicy(), peer), deadline.Token);

        var result = await ProcessRunner.RunAsync(OpenSsl.Path,
            ["s_client", "-connect", $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}", "-CAfile", dir.File("bundle.pem"), "-ign_eof"],
            TimeSpan.FromSeconds(30), standardInput: "", cancellationToken: TestContext.Current.CancellationToken);

        await Assert.ThrowsAnyAsync<Exception>(() => server);
        Assert.DoesNotContain("hello from meshproxy", result.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(Identity.Svids.SvidFailure.NoCertificate, peer.Result?.Failure);
    }

    private static async Task<SslApplicationProtocol> ServeOnceAsync(TcpListener listener, SslServerAuthenticationOptions options, CancellationToken cancellationToken)
    {
        using var socket = await listener.AcceptTcpClientAsync(cancellationToken);
        await using var stream = new SslStream(socket.GetStream());
        await stream.AuthenticateAsServerAsync(options, cancellationToken);
        await stream.WriteAsync("hello from meshproxy\n"u8.ToArray(), cancellationToken);
        await stream.ShutdownAsync();
        return stream.NegotiatedApplicationProtocol;
    }
}

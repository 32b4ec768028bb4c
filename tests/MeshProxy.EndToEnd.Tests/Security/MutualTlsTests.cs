using System.Net.Sockets;
using System.Text;
using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests.Security;

/// <summary>
/// Two meshproxies, one hop of mesh mTLS between them: HTTP/1.1, HTTP/2 and TCP; the server's view of the caller
/// (x-forwarded-client-cert, metrics); and real clients (curl, openssl s_client) against a STRICT inbound port.
/// </summary>
public sealed class MutualTlsTests(MeshCertificates certificates) : IClassFixture<MeshCertificates>
{
    [Theory]
    [InlineData("--http1.1")]
    [InlineData("--http2-prior-knowledge")]
    public async Task Http_ThroughClientAndServerSidecars_BackendSeesCallerIdentityInXfcc(string curlProtocol)
    {
        await using var mesh = await MeshHop.StartAsync(certificates);
        var (backend, server, client) = (mesh.Backend, mesh.Server, mesh.Client);

        // A spoofed XFCC from the app is dropped by its own sidecar: only the server sidecar's element arrives.
        var result = await Curl.RunAsync(curlProtocol, "-H", "x-forwarded-client-cert: By=spiffe://evil/x;URI=spiffe://evil/y",
            client.ListenerUri("outbound", "/echo").ToString());

        Assert.True(result.ExitCode == 0, result + "\nclient:\n" + string.Join('\n', client.Logs.Lines) + "\nserver:\n" + string.Join('\n', server.Logs.Lines));
        var xfcc = backend.Requests.Single().Headers["x-forwarded-client-cert"];
        Assert.StartsWith($"By={certificates.ServerId};Hash=", xfcc, StringComparison.Ordinal);
        Assert.EndsWith($";Subject=\"\";URI={certificates.ClientId}", xfcc, StringComparison.Ordinal);
        Assert.DoesNotContain("evil", xfcc, StringComparison.Ordinal);
        Assert.Contains("protocol: HTTP/1.1", result.StandardOutput, StringComparison.Ordinal);

        var stats = await new HttpClient().GetStringAsync(server.AdminUri("/stats"), TestContext.Current.CancellationToken);
        Assert.Contains("listener.inbound.ssl.handshake: 1", stats, StringComparison.Ordinal);
        var clientStats = await new HttpClient().GetStringAsync(client.AdminUri("/stats"), TestContext.Current.CancellationToken);
        Assert.Contains("cluster.server.ssl.handshake: 1", clientStats, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_ServerSidecarReportsMutualTlsAndBothPrincipalsInIstioMetrics()
    {
        await using var mesh = await MeshHop.StartAsync(certificates);
        var (backend, server, client) = (mesh.Backend, mesh.Server, mesh.Client);

        var result = await Curl.RunAsync(client.ListenerUri("outbound", "/status/200").ToString());
        Assert.Equal(0, result.ExitCode);

        var serverSamples = await PrometheusScrape.ScrapeAsync(new Uri($"http://{server.Host.MetricsAddress}/stats/prometheus"));
        var inbound = serverSamples.Single(s => s.Name == "istio_requests_total");
        Assert.Equal("destination", inbound.Label("reporter"));
        Assert.Equal("mutual_tls", inbound.Label("connection_security_policy"));
        Assert.Equal(certificates.ClientId, inbound.Label("source_principal"));
        Assert.Equal(certificates.ServerId, inbound.Label("destination_principal"));

        var clientSamples = await PrometheusScrape.ScrapeAsync(new Uri($"http://{client.Host.MetricsAddress}/stats/prometheus"));
        var outbound = clientSamples.Single(s => s.Name == "istio_requests_total");
        Assert.Equal("source", outbound.Label("reporter"));
        Assert.Equal(certificates.ClientId, outbound.Label("source_principal"));
        Assert.Equal(certificates.ServerId, outbound.Label("destination_principal"));
    }

    [Fact]
    public async Task Tcp_ThroughBothSidecars_BytesIntactAndHalfCloseCrossesTheTlsHop()
    {
        await using var mesh = await MeshHop.StartAsync(certificates);
        var (backend, server, client) = (mesh.Backend, mesh.Server, mesh.Client);

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(client.Listener("outbound"), TestContext.Current.CancellationToken);
        var payload = new byte[1024 * 1024];
        new Random(5).NextBytes(payload);
        payload[0] = 0x01; // opaque: not HTTP, not TLS
        var reading = ReadToEndAsync(tcp.Client);
        await tcp.Client.SendAsync(payload, TestContext.Current.CancellationToken);
        tcp.Client.Shutdown(SocketShutdown.Send);
        var received = await reading.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        // The echo server writes "END" after it sees our FIN: the FIN travelled as close_notify over the mTLS hop.
        Assert.True(received.Length == payload.Length + 3, $"received {received.Length}\nclient:\n{string.Join('\n', client.Logs.Lines)}\nserver:\n{string.Join('\n', server.Logs.Lines)}");
        Assert.True(received.AsSpan(0, payload.Length).SequenceEqual(payload));
        Assert.Equal("END", Encoding.ASCII.GetString(received, payload.Length, 3));
        var stats = await new HttpClient().GetStringAsync(server.AdminUri("/stats"), TestContext.Current.CancellationToken);
        Assert.Contains("listener.inbound.ssl.handshake: 1", stats, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tcp_ServerTalksFirstAndHalfCloses_ClientSeesTheEndAndCanStillSend()
    {
        await using var mesh = await MeshHop.StartAsync(certificates, talkFirstTcp: true);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(mesh.Client.Listener("outbound"), TestContext.Current.CancellationToken);
        // A client-first byte the sniffer can classify as opaque (it waits for the client, as Envoy's inspector does).
        await tcp.Client.SendAsync(new byte[] { 0x01 }, TestContext.Current.CancellationToken);

        // The app's FIN crosses the mTLS hop back to us as the end of the stream, while our direction stays open.
        var greeting = await ReadToEndAsync(tcp.Client).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        Assert.True("HELLO" == Encoding.ASCII.GetString(greeting), $"got '{Encoding.ASCII.GetString(greeting)}'\n{mesh.Logs}");
        await tcp.Client.SendAsync("still here"u8.ToArray(), TestContext.Current.CancellationToken);
        tcp.Client.Shutdown(SocketShutdown.Send);

        var seenByApp = await mesh.Echo.ReceivedAfterHalfClose.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        Assert.Equal("\u0001still here", Encoding.ASCII.GetString(seenByApp));
    }

    [Fact]
    public async Task Curl_WithCertKeyAndCacert_VerifiesTheServerAndIsSeenByItsSpiffeId()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var echo = TcpEchoServer.StartEcho();
        await using var server = await ProxyTestHost.StartAsync(SidecarYaml.Server(certificates.OpenSslServer, backend.Http1Address, echo.Address));
        var chain = await certificates.OpenSslChainAsync("web", "intermediateA");
        var url = $"https://127.0.0.1:{server.Listener("inbound").Port}/echo";

        foreach (var protocol in new[] { "--http1.1", "--http2" })
        {
            var result = await Curl.RunAsync(protocol, "--cacert", certificates.OpenSslFile("rootA"), "--cert", chain, "--key", certificates.OpenSslFile("web", ".key"),
                "-w", "\nversion=%{http_version}", url);
            Assert.True(result.ExitCode == 0, result + "\n" + string.Join('\n', server.Logs.Lines));
            Assert.Contains($"x-forwarded-client-cert: By={MeshCertificates.OpenSslServerId};", result.StandardOutput, StringComparison.Ordinal);
            Assert.Contains($"URI={OpenSslPki.WebId}", result.StandardOutput, StringComparison.Ordinal);
            Assert.Contains(protocol == "--http2" ? "version=2" : "version=1.1", result.StandardOutput, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task SClient_WithMeshAlpn_NegotiatesH2AndSeesTheServerSvid()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var echo = TcpEchoServer.StartEcho();
        await using var server = await ProxyTestHost.StartAsync(SidecarYaml.Server(certificates.Server, backend.Http1Address, echo.Address));

        var result = await SClientAsync(server, certificates.Client.Certificate, certificates.Client.Key, "istio-h2,istio,h2", certificates.Client.Bundle);

        Assert.True(result.StandardOutput.Contains("ALPN protocol: h2", StringComparison.Ordinal), result + "\n" + string.Join('\n', server.Logs.Lines));
        Assert.Contains("Verify return code: 0 (ok)", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("URI:" + certificates.ServerId, await ServerCertificateTextAsync(result.StandardOutput), StringComparison.Ordinal);
    }

    internal static Task<ProcessResult> SClientAsync(ProxyTestHost server, string? certificate, string? key, string alpn, string caFile, string input = "")
    {
        List<string> arguments = ["s_client", "-connect", $"127.0.0.1:{server.Listener("inbound").Port}", "-alpn", alpn, "-CAfile", caFile, "-showcerts"];
        if (certificate is not null)
        {
            arguments.AddRange(["-cert", certificate, "-cert_chain", certificate, "-key", key!]);
        }
        if (input.Length > 0)
        {
            // Send the request, then keep reading until the server closes (it answers "Connection: close").
            arguments.Add("-ign_eof");
        }
        return ProcessRunner.RunAsync(OpenSsl.Path, arguments, TimeSpan.FromSeconds(30), standardInput: input);
    }

    /// <summary>The text form of the first certificate s_client printed (the server's leaf).</summary>
    internal static async Task<string> ServerCertificateTextAsync(string sClientOutput)
    {
        const string begin = "-----BEGIN CERTIFICATE-----";
        const string end = "-----END CERTIFICATE-----";
        var start = sClientOutput.IndexOf(begin, StringComparison.Ordinal);
        var stop = sClientOutput.IndexOf(end, start, StringComparison.Ordinal) + end.Length;
        var decoded = await ProcessRunner.RunAsync(OpenSsl.Path, ["x509", "-noout", "-text", "-serial"], TimeSpan.FromSeconds(30), standardInput: sClientOutput[start..stop] + "\n");
        return decoded.StandardOutput;
    }

    [Fact]
    public async Task ClientSidecar_ToOpensslSServer_OffersIstioAlpnPresentsItsSvidAndVerifiesTheServer()
    {
        var port = FreePort();
        await using var sServer = ProcessRunner.Start(OpenSsl.Path, ["s_server", "-accept", $"127.0.0.1:{port}", "-cert", certificates.Server.Certificate,
            "-cert_chain", certificates.Server.Certificate, "-key", certificates.Server.Key, "-CAfile", certificates.Server.Bundle,
            "-Verify", "1", "-verify_return_error", "-alpn", "http/1.1", "-www", "-naccept", "1"]);
        await sServer.WaitForOutputAsync("ACCEPT", TimeSpan.FromSeconds(20));
        await using var client = await ProxyTestHost.StartAsync(SidecarYaml.Client(certificates.Client, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port), certificates.ServerId));

        // s_server -www answers with a status page that prints the client's certificate.
        var result = await Curl.RunAsync("-w", "\n%{http_code}", client.ListenerUri("outbound", "/").ToString());
        // It exits after this one connection, which flushes what it printed.
        await sServer.Process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        Assert.True(result.StandardOutput.TrimEnd().EndsWith("\n200", StringComparison.Ordinal), result + "\n" + sServer.Output + "\n" + string.Join('\n', client.Logs.Lines));
        Assert.Contains("URI:" + certificates.ClientId, result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("ALPN protocols advertised by the client: istio-http/1.1, istio, http/1.1", sServer.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("istio-peer-exchange", sServer.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientSidecar_ServerWithAnotherSpiffeId_RefusedWith503UfAndCountedAsNotAuthorized()
    {
        await using var mesh = await MeshHop.StartAsync(certificates, expectedServerId: certificates.Mesh.Id("payments"));
        var (backend, client) = (mesh.Backend, mesh.Client);

        var result = await Curl.RunAsync("-w", "\n%{http_code}", client.ListenerUri("outbound", "/echo").ToString());

        Assert.EndsWith("\n503", result.StandardOutput.TrimEnd(), StringComparison.Ordinal);
        Assert.Contains("transport failure reason: TLS_error: not_authorized", result.StandardOutput, StringComparison.Ordinal);
        Assert.Empty(backend.Requests);
        var stats = await new HttpClient().GetStringAsync(client.AdminUri("/stats"), TestContext.Current.CancellationToken);
        Assert.Contains("cluster.server.ssl.handshake_failure.not_authorized: 1", stats, StringComparison.Ordinal);
        Assert.Contains(client.Logs.Lines, line => line.EventId == 503 && line.Message.Contains("not_authorized", StringComparison.Ordinal));
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer)) > 0)
        {
            received.Write(buffer, 0, read);
        }
        return received.ToArray();
    }
}

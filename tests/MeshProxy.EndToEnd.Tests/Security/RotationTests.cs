using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests.Security;

/// <summary>
/// The server sidecar's SVID files are rewritten while requests flow: through the client sidecar (pooled mTLS
/// connections) and through a prober that makes a fresh handshake for every request. Nothing fails, pooled
/// connections keep their certificate, and new handshakes show the new serial as soon as it has loaded.
/// </summary>
public sealed class RotationTests
{
    private const int MaxRequests = 3000;
    private static readonly TimeSpan MaxDuration = TimeSpan.FromSeconds(40);

    [Fact]
    public async Task ServerSvidRotatedUnderLoad_NoRequestFailsAndNewHandshakesShowTheNewSerial()
    {
        using var pki = new MeshPki();
        var serverId = pki.Id("server");
        var server = pki.Issue("server", serverId);
        var client = pki.Issue("client", pki.Id("client"));
        var oldSerial = SerialOf(server.Certificate);
        await using var backend = await TestBackend.StartAsync();
        await using var echo = TcpEchoServer.StartEcho();
        await using var serverSidecar = await ProxyTestHost.StartAsync(SidecarYaml.Server(server, backend.Http1Address, echo.Address));
        await using var clientSidecar = await ProxyTestHost.StartAsync(SidecarYaml.Client(client, serverSidecar.Listener("inbound"), serverId));
        string Logs() => "client:\n" + string.Join('\n', clientSidecar.Logs.Lines) + "\nserver:\n" + string.Join('\n', serverSidecar.Logs.Lines);

        using var stop = new CancellationTokenSource(MaxDuration);
        var failures = new ConcurrentQueue<string>();
        var sent = 0;
        var serials = new ConcurrentQueue<string>();
        var newSerial = "";

        async Task ThroughSidecarAsync()
        {
            using var http = new HttpClient();
            while (!stop.IsCancellationRequested && Interlocked.Increment(ref sent) <= MaxRequests)
            {
                try
                {
                    var response = await http.GetAsync(clientSidecar.ListenerUri("outbound", "/status/200"), stop.Token);
                    if ((int)response.StatusCode != 200)
                    {
                        failures.Enqueue($"sidecar: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }
                catch (Exception ex)
                {
                    failures.Enqueue("sidecar: " + ex.Message);
                }
            }
        }

        async Task FreshHandshakesAsync()
        {
            var clientCertificate = CertificateContext(client);
            while (!stop.IsCancellationRequested && Interlocked.Increment(ref sent) <= MaxRequests)
            {
                try
                {
                    var (status, serial) = await GetOverNewHandshakeAsync(serverSidecar, clientCertificate, stop.Token);
                    serials.Enqueue(serial);
                    if (status != "200")
                    {
                        failures.Enqueue($"prober: {status}");
                    }
                    if (serial == Volatile.Read(ref newSerial))
                    {
                        // A few more requests on the new certificate, then the run is done.
                        if (serials.Count(s => s == serial) >= 20)
                        {
                            await stop.CancelAsync();
                        }
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }
                catch (Exception ex)
                {
                    failures.Enqueue("prober: " + ex.Message);
                }
            }
        }

        var load = Task.WhenAll(ThroughSidecarAsync(), ThroughSidecarAsync(), FreshHandshakesAsync());
        while (serials.Count < 20 && !stop.IsCancellationRequested)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
        // Rewritten in place, as a secret mount or cert-manager would: the source may see a half-written pair, which
        // it must reject while keeping the old SVID.
        var rotated = pki.Issue("server", serverId);
        Volatile.Write(ref newSerial, SerialOf(rotated.Certificate));
        await load;

        Assert.True(failures.IsEmpty, $"{failures.Count} failures, first: {failures.FirstOrDefault()}\n{Logs()}");
        var observed = serials.ToArray();
        Assert.True(observed.Contains(newSerial), $"no handshake showed the new serial {newSerial} in {observed.Length} handshakes\n{Logs()}");
        var firstNew = Array.IndexOf(observed, newSerial);
        Assert.All(observed[..firstNew], serial => Assert.Equal(oldSerial, serial));
        Assert.All(observed[firstNew..], serial => Assert.Equal(newSerial, serial));
        Assert.Contains(serverSidecar.Logs.Lines, line => line.Message.Contains("serial " + newSerial, StringComparison.Ordinal));
    }

    /// <summary>One request on a new connection with a full handshake; returns the status code and the server certificate's serial.</summary>
    private static async Task<(string Status, string Serial)> GetOverNewHandshakeAsync(ProxyTestHost server, SslStreamCertificateContext clientCertificate, CancellationToken cancellationToken)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Listener("inbound"), cancellationToken);
        var serial = "";
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "",
            ClientCertificateContext = clientCertificate,
            ApplicationProtocols = [new SslApplicationProtocol("istio-http/1.1"), new SslApplicationProtocol("istio"), SslApplicationProtocol.Http11],
            // The SPIFFE checks are the proxy's; the test only records which certificate the server used.
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                serial = certificate is X509Certificate2 leaf ? leaf.SerialNumber : "";
                return true;
            },
        }, cancellationToken);
        await tls.WriteAsync("GET /status/200 HTTP/1.1\r\nHost: server\r\nConnection: close\r\n\r\n"u8.ToArray(), cancellationToken);
        using var reader = new StreamReader(tls, Encoding.ASCII);
        var statusLine = await reader.ReadLineAsync(cancellationToken) ?? "";
        await reader.ReadToEndAsync(cancellationToken);
        return (statusLine.Split(' ') is [_, var status, ..] ? status : statusLine, serial);
    }

    /// <summary>The SVID with its intermediate, which the server needs to build the chain.</summary>
    private static SslStreamCertificateContext CertificateContext(SvidFiles svid)
    {
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(svid.Certificate);
        var leaf = X509Certificate2.CreateFromPemFile(svid.Certificate, svid.Key);
        return SslStreamCertificateContext.Create(leaf, new X509Certificate2Collection(chain.Skip(1).ToArray()), offline: true);
    }

    private static string SerialOf(string certificatePath) => X509CertificateLoader.LoadCertificateFromFile(certificatePath).SerialNumber;
}

using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using MeshProxy.Identity.Spiffe;
using MeshProxy.Identity.Tls;
using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>
/// An east-west gateway on loopback in front of real TLS servers, for the SNI router tests:
/// <list type="bullet">
/// <item>reviews: a "cluster 2" workload speaking SPIFFE mTLS (client certificate required), exposed by AUTO_PASSTHROUGH
/// as reviews.default.svc.cluster.local port 8080;</item>
/// <item>shop: a web server with a certificate for *.shop.example, routed by the explicit rule serverNames ["*.shop.example"];</item>
/// <item>fallback: the default cluster (the listener's tcp), only when asked for.</item>
/// </list>
/// Clients are "cluster 1" workloads: <see cref="Productpage"/> holds an SVID from cluster 1's intermediate.
/// </summary>
internal sealed class GatewayTestBed : IAsyncDisposable
{
    public const string ReviewsServerName = "outbound_.8080_._.reviews.default.svc.cluster.local";

    private GatewayTestBed(TwoClusterPki pki, TlsBackend reviews, TlsBackend shop, TlsBackend fallback, ProxyTestHost proxy, string accessLog)
    {
        Pki = pki;
        Reviews = reviews;
        Shop = shop;
        Fallback = fallback;
        Proxy = proxy;
        AccessLogPath = accessLog;
        Productpage = pki.Workload(pki.Cluster1, TwoClusterPki.Productpage);
    }

    public TwoClusterPki Pki { get; }

    public TlsBackend Reviews { get; }

    public TlsBackend Shop { get; }

    public TlsBackend Fallback { get; }

    public ProxyTestHost Proxy { get; }

    public string AccessLogPath { get; }

    /// <summary>The client workload's mTLS options (cluster 1).</summary>
    public SpiffeTlsOptionsBuilder Productpage { get; }

    public IPEndPoint Gateway => Proxy.Listener("eastwest");

    public static async Task<GatewayTestBed> StartAsync(bool defaultCluster = false, string detectionTimeout = "5s")
    {
        var pki = new TwoClusterPki();
        var reviews = TlsBackend.StartOnLoopback("reviews", TlsBackend.MutualTls(pki.Workload(pki.Cluster2, TwoClusterPki.Reviews)));
        var shop = TlsBackend.StartOnLoopback("shop", TlsBackend.WebServer(TwoClusterPki.ServerCertificate(pki.Cluster2, "*.shop.example")));
        var fallback = TlsBackend.StartOnLoopback("fallback", TlsBackend.WebServer(TwoClusterPki.ServerCertificate(pki.Cluster2, "fallback.example")));
        var accessLog = Path.Combine(Directory.CreateTempSubdirectory("meshproxy-gateway-").FullName, "access.log");
        var proxy = await ProxyTestHost.StartAsync($$"""
            node:
              service: eastwestgateway
            listeners:
              - name: eastwest
                address: 127.0.0.1:0
                protocol: tls
                detectionTimeout: {{detectionTimeout}}
                autoPassthrough: { hosts: ["*.local"] }
                filterChains:
                  - name: shop
                    match: { serverNames: ["*.shop.example"] }
                    tcp: { cluster: shop }
            {{(defaultCluster ? "    tcp: { cluster: fallback }" : "")}}
            clusters:
              - name: reviews
                service: reviews.default.svc.cluster.local
                servicePort: 8080
                endpoints: [ { address: {{reviews.LocalEndPoint}}, metadata: { workload: reviews-v1, cluster: cluster2 } } ]
              - name: shop
                service: shop.example
                endpoints: [ { address: {{shop.LocalEndPoint}} } ]
              - name: fallback
                endpoints: [ { address: {{fallback.LocalEndPoint}} } ]
            telemetry:
              accessLog: { enabled: true, path: {{accessLog}} }
            """);
        return new GatewayTestBed(pki, reviews, shop, fallback, proxy, accessLog);
    }

    /// <summary>Connects through the gateway and runs a sidecar-style mTLS handshake: SPIFFE SVID, server name, ALPN.</summary>
    public async Task<(SslStream Stream, PeerVerification Server)> ConnectMutualTlsAsync(string serverName, params string[] alpn)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(Gateway);
        return await HandshakeAsync(socket, Productpage, serverName, alpn);
    }

    /// <summary>
    /// A sidecar-style mTLS handshake to reviews over <paramref name="connected"/> (which the stream then owns), as
    /// <paramref name="client"/>, sending <paramref name="serverName"/> and offering <paramref name="alpn"/>.
    /// </summary>
    public static async Task<(SslStream Stream, PeerVerification Server)> HandshakeAsync(Socket connected, SpiffeTlsOptionsBuilder client, string serverName, string[] alpn)
    {
        var stream = new SslStream(new NetworkStream(connected, ownsSocket: true));
        var verification = new PeerVerification();
        var options = client.CreateClientOptions(new SpiffeTlsClientPolicy
        {
            AuthorizedServers = SpiffeIdMatcher.Exactly(TwoClusterPki.Reviews),
            ServerName = serverName,
            ApplicationProtocols = [.. alpn.Select(p => new SslApplicationProtocol(p))],
        }, verification);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await stream.AuthenticateAsClientAsync(options, deadline.Token);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
        return (stream, verification);
    }

    /// <summary>
    /// What an Istio sidecar offers for HTTP/1.1 over mTLS (mtlsHTTP11ALPN). The backend, a .NET server, needs a protocol
    /// in common: with none it refuses the handshake (no_application_protocol), where BoringSSL would go on without ALPN.
    /// </summary>
    public static string[] IstioAlpn => ["istio-http/1.1", "istio", "http/1.1"];

    /// <summary>/stats as name to value.</summary>
    public async Task<IReadOnlyDictionary<string, long>> StatsAsync()
    {
        using var client = new HttpClient();
        var text = await client.GetStringAsync(Proxy.AdminUri("/stats"));
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => (Name: line[..line.LastIndexOf(':')], Value: long.Parse(line[(line.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture)))
            .ToDictionary(pair => pair.Name, pair => pair.Value, StringComparer.Ordinal);
    }

    public Task<IReadOnlyList<MetricSample>> ScrapeAsync() => PrometheusScrape.ScrapeAsync(new Uri($"http://{Proxy.Host.MetricsAddress}/stats/prometheus"));

    /// <summary>Waits, bounded, for the access log to hold <paramref name="count"/> lines, and returns them.</summary>
    public async Task<string[]> AccessLogLinesAsync(int count)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var lines = File.Exists(AccessLogPath) ? await File.ReadAllLinesAsync(AccessLogPath) : [];
            if (lines.Length >= count)
            {
                return lines;
            }
            try
            {
                await Task.Delay(50, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The access log has {lines.Length} lines, not {count}:\n{string.Join('\n', lines)}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await Reviews.DisposeAsync();
        await Shop.DisposeAsync();
        await Fallback.DisposeAsync();
        Pki.Dispose();
    }
}

using MeshProxy.Hosting;
using MeshProxy.Identity.Authority;
using MeshProxy.Identity.Spiffe;
using MeshProxy.Configuration;
using MeshProxy.Telemetry;
using System.Net;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Cli.Demo;

/// <summary>
/// The mTLS act: a development CA (as `meshproxy ca` makes it) issues SVIDs to the demo client's sidecar and to a
/// second sidecar in front of a "payments" instance. That server sidecar is STRICT and only lets the client's identity
/// in (an Istio-style authorization policy); the client's sidecar originates mTLS and verifies the server's SPIFFE ID.
/// </summary>
internal sealed class DemoMutualTls : IAsyncDisposable
{
    public const string Service = "payments";
    public const string ClusterName = "payments-mtls";
    private static readonly TrustDomain TrustDomain = TrustDomain.Parse("cluster.local");
    public static readonly SpiffeId ClientId = SpiffeId.ForIstioWorkload(TrustDomain, "demo", "frontend");
    public static readonly SpiffeId ServerId = SpiffeId.ForIstioWorkload(TrustDomain, "demo", "payments");

    private readonly DirectoryInfo _directory;
    private readonly ProxyHost _serverSidecar;

    private DemoMutualTls(DirectoryInfo directory, ProxyHost serverSidecar, string clientIdentityYaml)
    {
        _directory = directory;
        _serverSidecar = serverSidecar;
        ClientIdentityYaml = clientIdentityYaml;
    }

    /// <summary>The identity section of the demo client's sidecar.</summary>
    public string ClientIdentityYaml { get; }

    public IPEndPoint ServerSidecar => _serverSidecar.GetListenerAddress("inbound");

    public static IEnumerable<DemoEndpoint> Endpoints() => [new(Service, "payments-1", DemoTopology.LocalZone, TimeSpan.FromMilliseconds(2), 0)];

    /// <summary>Makes the CA and SVIDs, and starts the server sidecar in front of <paramref name="payments"/>.</summary>
    public static async Task<DemoMutualTls> StartAsync(DemoEndpoint payments, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("meshproxy-demo-");
        var root = CertificateAuthority.CreateRoot(TrustDomain);
        var issuer = root.CreateIntermediate("demo-cluster");
        var client = Path.Combine(directory.FullName, "frontend");
        var server = Path.Combine(directory.FullName, "payments");
        CertificateAuthorityFiles.WriteSvid(issuer.Issue(ClientId), issuer, client);
        CertificateAuthorityFiles.WriteSvid(issuer.Issue(ServerId), issuer, server);

        var sidecar = ProxyHost.Create(new ProxyHostOptions
        {
            Config = ConfigLoader.LoadText(ServerYaml(IdentityYaml(server), payments.Address), "(demo payments sidecar)").GetConfigOrThrow(),
            LogLevel = LogLevel.Warning,
            HandleSignals = false,
        });
        await sidecar.StartAsync(cancellationToken);
        return new DemoMutualTls(directory, sidecar, IdentityYaml(client));
    }

    /// <summary>The client sidecar's cluster for payments: mTLS, and only the payments identity is accepted.</summary>
    public string ClusterYaml => $$"""
          - name: {{ClusterName}}
            tls: { mode: istioMutual, serverIds: ["{{ServerId}}"] }
            endpoints:
              - address: {{ServerSidecar}}

        """;

    public static string VirtualHostYaml => $$"""
                  - name: {{Service}}
                    domains: [{{Service}}]
                    routes:
                      - match: { prefix: / }
                        cluster: {{ClusterName}}

            """;

    public async Task RunAsync(IPEndPoint sidecar, StatsRegistry stats, TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine();
        output.WriteLine($"mTLS: the client's sidecar calls \"{Service}\" through a second, STRICT sidecar; both hold SVIDs from one development CA.");
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        string? caller = null;
        var ok = 0;
        for (var i = 0; i < 20; i++)
        {
            using var response = await SendAsync(client, sidecar, "/charge", cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                ok++;
                caller = response.Headers.TryGetValues("x-demo-caller", out var values) ? values.First() : caller;
            }
        }
        using var denied = await SendAsync(client, sidecar, "/admin/refund-all", cancellationToken);
        var handshakes = stats.Cluster(ClusterName).TlsHandshakes;
        output.WriteLine($"  {ok} of 20 requests answered; the client's sidecar verified the server as {ServerId} ({handshakes} mTLS handshake{(handshakes == 1 ? "" : "s")}, then pooled)");
        output.WriteLine($"  the payments instance was told its caller is {caller ?? "(nobody)"} (x-forwarded-client-cert, set by its sidecar)");
        output.WriteLine($"  GET /admin/refund-all: {(int)denied.StatusCode} \"{await denied.Content.ReadAsStringAsync(cancellationToken)}\" (a DENY policy on the server sidecar)");
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, IPEndPoint sidecar, string path, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"http://{sidecar}{path}");
        request.Headers.Host = Service;
        return client.SendAsync(request, cancellationToken);
    }

    private static string IdentityYaml(string directory) => $"""
        identity:
          files:
            certificateChain: {Path.Combine(directory, CertificateAuthorityFiles.SvidCertificate)}
            privateKey: {Path.Combine(directory, CertificateAuthorityFiles.SvidKey)}
            bundle: {Path.Combine(directory, CertificateAuthorityFiles.BundlePem)}

        """;

    private static string ServerYaml(string identity, IPEndPoint payments) => $$"""
        admin: { address: 127.0.0.1:0, readinessAddress: , metricsAddress: , drainTimeout: 2s }
        listeners:
          - name: inbound
            address: 127.0.0.1:0
            trafficDirection: inbound
            tls: { mode: strict }
            http: { routeTable: local }
        routeTables:
          - name: local
            virtualHosts:
              - name: local
                domains: ["*"]
                routes:
                  - match: { prefix: / }
                    cluster: payments
        clusters:
          - name: payments
            endpoints:
              - address: {{payments}}
        authorization:
          - name: frontend-only
            rules:
              - from: [ { principals: ["{{ClientId.IstioPrincipal}}"] } ]
          - name: no-admin
            action: deny
            rules:
              - to: [ { paths: ["/admin/*"] } ]
        {{identity}}
        """;

    public async ValueTask DisposeAsync()
    {
        await _serverSidecar.StopAsync(CancellationToken.None);
        await _serverSidecar.DisposeAsync();
        _directory.Delete(recursive: true);
    }
}

using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using MeshProxy.Configuration;
using MeshProxy.Identity.Authority;
using MeshProxy.Identity.Bundles;
using MeshProxy.Identity.Sources;
using MeshProxy.Identity.Spiffe;
using MeshProxy.Security;
using MeshProxy.Telemetry;
using MeshProxy.Utilities;
using Microsoft.Extensions.Logging.Abstractions;

namespace MeshProxy.Tests.Security;

/// <summary>
/// The SNI a sidecar sends when it originates mTLS to a cluster: <c>tls.sni</c> when set, otherwise Istio's
/// AUTO_PASSTHROUGH name for the cluster's service, port and subset (as istiod sets an ISTIO_MUTUAL cluster's SNI),
/// otherwise none. Checked as a value and in the ClientHello a real handshake sends.
/// </summary>
public sealed class UpstreamServerNameTests
{
    private const string Reviews = "reviews.default.svc.cluster.local";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData(null, Reviews, 8080, null, "outbound_.8080_._.reviews.default.svc.cluster.local")]
    [InlineData(null, Reviews, 8080, "v2", "outbound_.8080_.v2_.reviews.default.svc.cluster.local")]
    [InlineData(null, Reviews, 9080, "v1", "outbound_.9080_.v1_.reviews.default.svc.cluster.local")]
    [InlineData(null, null, 8080, null, "outbound_.8080_._.reviews-cluster.default.svc.cluster.local")] // no service: the cluster name, as destination_service
    [InlineData("api.example.com", Reviews, 8080, "v2", "api.example.com")]                             // tls.sni wins
    [InlineData("outbound_.9080_._.ratings.default.svc.cluster.local", Reviews, 8080, null, "outbound_.9080_._.ratings.default.svc.cluster.local")]
    [InlineData("api.example.com", Reviews, null, null, "api.example.com")]
    [InlineData(null, Reviews, null, null, null)]                                                          // no servicePort: no SNI
    public void ServerName_TlsSniElseIstioNameFromServicePortElseNone(string? sni, string? service, int? servicePort, string? subset, string? expected)
    {
        var cluster = Cluster(sni, service, servicePort, subset);

        Assert.Equal(expected, UpstreamTlsConnector.ServerName(cluster, cluster.Tls!));
    }

    [Theory]
    [InlineData(null, 8080, "v2", "outbound_.8080_.v2_.reviews.default.svc.cluster.local")]
    [InlineData("reviews.example", 8080, null, "reviews.example")]
    [InlineData(null, null, null, "")]
    public async Task Handshake_SendsTheServerNameInItsClientHello(string? sni, int? servicePort, string? subset, string expectedAtServer)
    {
        var root = CertificateAuthority.CreateRoot(TrustDomain.Parse("cluster.local"));
        var cluster1 = root.CreateIntermediate("cluster1");
        var cluster2 = root.CreateIntermediate("cluster2");
        using var client = Identity(root, cluster1, "productpage");
        using var server = Identity(root, cluster2, "reviews");
        var stats = new StatsRegistry();
        var connector = new UpstreamTlsConnector(client, stats, NullLogger<UpstreamTlsConnector>.Instance);
        var cluster = Cluster(sni, Reviews, servicePort, subset);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var address = (IPEndPoint)listener.LocalEndpoint;
        using var deadline = new CancellationTokenSource(Timeout);

        var serving = ServeOneAsync(listener, server, deadline.Token);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(address, deadline.Token);
        await using var ssl = await connector.AuthenticateAsync(new NetworkStream(socket, ownsSocket: true), cluster, cluster.Tls!,
            [new SslApplicationProtocol("istio")], endpoint: null, address, deadline.Token);
        var (serverName, clientId) = await serving;

        Assert.Equal(expectedAtServer, serverName);
        Assert.Equal("spiffe://cluster.local/ns/default/sa/productpage", clientId);
        Assert.Equal(1, stats.Cluster(cluster.Name).TlsHandshakes);
    }

    private static ClusterConfig Cluster(string? sni, string? service, int? servicePort, string? subset) => new()
    {
        Name = "reviews-cluster.default.svc.cluster.local",
        Service = service,
        ServicePort = servicePort,
        Subset = subset,
        Tls = new UpstreamTlsConfig { Sni = sni },
        Endpoints = new[] { new EndpointConfig { Address = new IPEndPoint(IPAddress.Loopback, 15006) } },
    };

    private static MeshIdentity Identity(CertificateAuthority root, CertificateAuthority issuer, string serviceAccount)
    {
        var svid = issuer.Issue(SpiffeId.Parse($"spiffe://cluster.local/ns/default/sa/{serviceAccount}"));
        var source = new StaticIdentitySource(new IdentitySnapshot(svid, TrustBundleSet.Create([root.Bundle])), TimeProvider.System);
        return new MeshIdentity(source, TimeProvider.System, NullLoggerFactory.Instance);
    }

    /// <summary>Accepts one connection as an inbound sidecar would and returns the SNI it received and the client's SPIFFE ID.</summary>
    private static async Task<(string ServerName, string? ClientId)> ServeOneAsync(TcpListener listener, MeshIdentity identity, CancellationToken cancellationToken)
    {
        using var accepted = await listener.AcceptSocketAsync(cancellationToken);
        await using var ssl = new SslStream(new NetworkStream(accepted, ownsSocket: false));
        var verification = new Identity.Tls.PeerVerification();
        await ssl.AuthenticateAsServerAsync(identity.CreateServerOptions(verification), cancellationToken);
        return (ssl.TargetHostName, verification.PeerId?.ToString());
    }
}

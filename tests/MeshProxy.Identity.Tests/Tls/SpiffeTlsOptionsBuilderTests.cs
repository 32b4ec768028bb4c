using System.Net.Security;
using MeshProxy.Identity.Authority;
using MeshProxy.Identity.Spiffe;
using MeshProxy.Identity.Svids;
using MeshProxy.Identity.Tests.Support;
using MeshProxy.Identity.Tls;
using Xunit;

namespace MeshProxy.Identity.Tests.Tls;

/// <summary>Real TLS handshakes over loopback with the options the builder makes.</summary>
public class SpiffeTlsOptionsBuilderTests
{
    private static readonly CertificateAuthority Root = CertificateAuthority.CreateRoot(TestIdentities.ClusterLocal);
    private static readonly SpiffeTlsOptionsBuilder ServerSide = TestIdentities.Builder(TestIdentities.Source(Root, TestIdentities.Server));
    private static readonly SpiffeTlsOptionsBuilder ClientSide = TestIdentities.Builder(TestIdentities.Source(Root, TestIdentities.Client));

    private static SpiffeTlsClientPolicy ClientPolicy => new() { AuthorizedServers = SpiffeIdMatcher.Exactly(TestIdentities.Server), ServerName = "outbound_.8080_._.server.default.svc.cluster.local" };

    [Fact]
    public async Task Handshake_BothSidesValidSvids_EachSeesThePeerSpiffeId()
    {
        var serverPeer = new PeerVerification();
        var clientPeer = new PeerVerification();
        var results = new List<SvidValidationResult>();
        ServerSide.PeerValidated += Record;
        try
        {
            await using var connection = await TlsLoopback.ConnectAsync(
                ServerSide.CreateServerOptions(new SpiffeTlsServerPolicy(), serverPeer),
                ClientSide.CreateClientOptions(ClientPolicy, clientPeer));

            Assert.True(connection.Succeeded, $"{connection.ServerError}\n{connection.ClientError}");
            Assert.Equal(TestIdentities.Client, serverPeer.PeerId);
            Assert.Equal(TestIdentities.Server, clientPeer.PeerId);
            Assert.Equal(SslApplicationProtocol.Http2, connection.Server.NegotiatedApplicationProtocol);
            Assert.Equal("outbound_.8080_._.server.default.svc.cluster.local", connection.Server.TargetHostName);
            Assert.True(await connection.EchoAsync("ping", TimeSpan.FromSeconds(10)));
            lock (results)
            {
                Assert.Contains(results, r => r.IsValid && r.Id == TestIdentities.Client);
            }
        }
        finally
        {
            ServerSide.PeerValidated -= Record;
        }

        void Record(SvidValidationResult result)
        {
            lock (results)
            {
                results.Add(result);
            }
        }
    }

    [Fact]
    public async Task Handshake_ClientWithoutCertificateAndCertificateRequired_Fails()
    {
        var serverPeer = new PeerVerification();
        var clientOptions = ClientSide.CreateClientOptions(ClientPolicy, new PeerVerification());
        clientOptions.ClientCertificateContext = null;

        await using var connection = await TlsLoopback.ConnectAsync(ServerSide.CreateServerOptions(new SpiffeTlsServerPolicy(), serverPeer), clientOptions);

        Assert.NotNull(connection.ServerError);
        Assert.NotNull(connection.ClientError);
        Assert.Equal(SvidFailure.NoCertificate, serverPeer.Result?.Failure);
        Assert.Null(serverPeer.PeerId);
    }

    [Fact]
    public async Task Handshake_ClientWithoutCertificateAndCertificateOptional_SucceedsUnauthenticated()
    {
        var serverPeer = new PeerVerification();
        var clientOptions = ClientSide.CreateClientOptions(ClientPolicy, new PeerVerification());
        clientOptions.ClientCertificateContext = null;

        await using var connection = await TlsLoopback.ConnectAsync(
            ServerSide.CreateServerOptions(new SpiffeTlsServerPolicy { ClientCertificateRequired = false }, serverPeer), clientOptions);

        Assert.True(connection.Succeeded, $"{connection.ServerError}\n{connection.ClientError}");
        Assert.Null(serverPeer.PeerId);
    }

    [Fact]
    public async Task Handshake_ServerIdNotAllowedByClient_ClientRejectsNotAuthorized()
    {
        var clientPeer = new PeerVerification();
        var policy = ClientPolicy with { AuthorizedServers = SpiffeIdMatcher.Exactly(SpiffeId.Parse("spiffe://cluster.local/ns/default/sa/other")) };

        await using var connection = await TlsLoopback.ConnectAsync(
            ServerSide.CreateServerOptions(new SpiffeTlsServerPolicy(), new PeerVerification()), ClientSide.CreateClientOptions(policy, clientPeer));

        Assert.NotNull(connection.ClientError);
        Assert.Equal(SvidFailure.NotAuthorized, clientPeer.Result?.Failure);
        Assert.Equal(TestIdentities.Server, clientPeer.Result?.Id);
    }

    [Fact]
    public async Task Handshake_ServerTrustDomainAllowedByClient_Succeeds()
    {
        var policy = ClientPolicy with { AuthorizedServers = SpiffeIdMatcher.MemberOf(TestIdentities.ClusterLocal) };
        var serverPeer = new PeerVerification();
        var clientPeer = new PeerVerification();
        await using var connection = await TlsLoopback.ConnectAsync(
            ServerSide.CreateServerOptions(new SpiffeTlsServerPolicy(), serverPeer), ClientSide.CreateClientOptions(policy, clientPeer));
        Assert.True(connection.Succeeded, $"{connection.ServerError}\n{connection.ClientError}\nserver saw {serverPeer.Result}\nclient saw {clientPeer.Result}");
        Assert.Equal(TestIdentities.Server, clientPeer.PeerId);
    }

    [Fact]
    public async Task Handshake_ServerPredicateRefusesClient_NotAuthorized()
    {
        var serverPeer = new PeerVerification();
        var policy = new SpiffeTlsServerPolicy { AuthorizedClients = SpiffeIdMatcher.Where(id => id.TryGetIstioWorkload(out var ns, out _) && ns == "prod", "namespace prod") };

        await using var connection = await TlsLoopback.ConnectAsync(
            ServerSide.CreateServerOptions(policy, serverPeer), ClientSide.CreateClientOptions(ClientPolicy, new PeerVerification()));

        Assert.NotNull(connection.ServerError);
        Assert.Equal(SvidFailure.NotAuthorized, serverPeer.Result?.Failure);
        Assert.Contains("namespace prod", serverPeer.Result!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handshake_ClientFromFederatedTrustDomain_ValidatedWithItsOwnBundle()
    {
        var otherRoot = CertificateAuthority.CreateRoot(TrustDomain.Parse("other.mesh"));
        var federatedClient = TestIdentities.Builder(TestIdentities.Source(otherRoot, SpiffeId.Parse("spiffe://other.mesh/ns/a/sa/b"), Root.Bundle));
        var federatingServer = TestIdentities.Builder(TestIdentities.Source(Root, TestIdentities.Server, otherRoot.Bundle));
        var serverPeer = new PeerVerification();

        await using var federated = await TlsLoopback.ConnectAsync(
            federatingServer.CreateServerOptions(new SpiffeTlsServerPolicy(), serverPeer), federatedClient.CreateClientOptions(ClientPolicy, new PeerVerification()));
        Assert.True(federated.Succeeded, $"{federated.ServerError}\n{federated.ClientError}");
        Assert.Equal("spiffe://other.mesh/ns/a/sa/b", serverPeer.PeerId?.ToString());

        var refusingPeer = new PeerVerification();
        await using var refused = await TlsLoopback.ConnectAsync(
            ServerSide.CreateServerOptions(new SpiffeTlsServerPolicy(), refusingPeer), federatedClient.CreateClientOptions(ClientPolicy, new PeerVerification()));
        Assert.NotNull(refused.ServerError);
        Assert.Equal(SvidFailure.NoBundleForTrustDomain, refusingPeer.Result?.Failure);
    }

    [Fact]
    public async Task Handshake_ClientAlpn_OffersH2AndHttp11ButNeverIstioPeerExchange()
    {
        var clientOptions = ClientSide.CreateClientOptions(ClientPolicy, new PeerVerification());
        Assert.Equal([SslApplicationProtocol.Http2, SslApplicationProtocol.Http11], clientOptions.ApplicationProtocols);

        // A server preferring istio-peer-exchange picks it whenever offered; getting h2 proves it was not.
        var serverOptions = ServerSide.CreateServerOptions(new SpiffeTlsServerPolicy(), new PeerVerification());
        serverOptions.ApplicationProtocols = [new SslApplicationProtocol(AlpnProtocols.IstioPeerExchange), SslApplicationProtocol.Http2];
        await using (var connection = await TlsLoopback.ConnectAsync(serverOptions, clientOptions))
        {
            Assert.True(connection.Succeeded, $"{connection.ServerError}\n{connection.ClientError}");
            Assert.Equal(SslApplicationProtocol.Http2, connection.Client.NegotiatedApplicationProtocol);
        }

        var http11Only = ServerSide.CreateServerOptions(new SpiffeTlsServerPolicy { ApplicationProtocols = [SslApplicationProtocol.Http11] }, new PeerVerification());
        await using var http11 = await TlsLoopback.ConnectAsync(http11Only, ClientSide.CreateClientOptions(ClientPolicy, new PeerVerification()));
        Assert.Equal(SslApplicationProtocol.Http11, http11.Client.NegotiatedApplicationProtocol);
    }

    [Fact]
    public void CreateOptions_IstioPeerExchangeInPolicy_Throws()
    {
        List<SslApplicationProtocol> alpn = [new(AlpnProtocols.IstioPeerExchange), SslApplicationProtocol.Http2];
        Assert.Throws<ArgumentException>(() => ClientSide.CreateClientOptions(ClientPolicy with { ApplicationProtocols = alpn }, new PeerVerification()));
        Assert.Throws<ArgumentException>(() => ServerSide.CreateServerOptions(new SpiffeTlsServerPolicy { ApplicationProtocols = alpn }, new PeerVerification()));
    }
}

using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using MeshProxy.Configuration;
using MeshProxy.Gateway;
using MeshProxy.Identity.Tls;
using MeshProxy.Telemetry;
using MeshProxy.Upstream;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Security;

/// <summary>
/// Wraps a connection to a cluster's endpoint in mesh mTLS (clusters with <c>tls: istioMutual</c>), for both the HTTP
/// engine and the L4 relay: this proxy's current SVID, the server's SVID verified against the current bundles and
/// the cluster's allowed IDs, Istio's ALPN and SNI (<see cref="ServerName"/>). Counts handshakes and failures per cluster.
/// </summary>
public sealed partial class UpstreamTlsConnector
{
    private readonly MeshIdentity _identity;
    private readonly StatsRegistry _stats;
    private readonly ILogger<UpstreamTlsConnector> _logger;

    public UpstreamTlsConnector(MeshIdentity identity, StatsRegistry stats, ILogger<UpstreamTlsConnector> logger)
    {
        _identity = identity;
        _stats = stats;
        _logger = logger;
    }

    /// <summary>
    /// Runs the handshake over <paramref name="transport"/>, which the returned stream then owns. On failure the
    /// transport is disposed and <see cref="UpstreamTlsException"/> is thrown; cancellation throws as usual.
    /// </summary>
    public async ValueTask<SslStream> AuthenticateAsync(Stream transport, ClusterConfig cluster, UpstreamTlsConfig tls,
        IReadOnlyList<SslApplicationProtocol> protocols, EndpointState? endpoint, IPEndPoint address, CancellationToken cancellationToken)
    {
        var stats = _stats.Cluster(cluster.Name);
        var verification = new PeerVerification();
        var ssl = new SslStream(transport, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(_identity.CreateClientOptions(tls, ServerName(cluster, tls), protocols, verification), cancellationToken);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            await ssl.DisposeAsync();
            var reason = ex is InvalidOperationException ? "no_identity" : MeshIdentity.FailureReason(verification);
            stats.TlsFailures.Increment(reason);
            var detail = verification.Result is { IsValid: false } result ? result.Detail : ex.Message;
            Log.HandshakeFailed(_logger, cluster.Name, address, reason, detail);
            throw new UpstreamTlsException(reason, $"TLS handshake with {address} failed ({reason}): {detail}", ex);
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }
        stats.TlsHandshakeCompleted();
        if (endpoint is not null)
        {
            endpoint.PeerPrincipal = verification.PeerId?.ToString();
        }
        return ssl;
    }

    /// <summary>
    /// The SNI sent to the cluster's endpoints: <c>tls.sni</c> when set, otherwise, for a cluster with a
    /// <c>servicePort</c>, Istio's <c>outbound_.&lt;port&gt;_.&lt;subset&gt;_.&lt;service&gt;</c> (istiod sets an ISTIO_MUTUAL
    /// cluster's SNI so), which an AUTO_PASSTHROUGH east-west gateway routes by; otherwise none.
    /// </summary>
    public static string? ServerName(ClusterConfig cluster, UpstreamTlsConfig tls) => tls.Sni ?? IstioServerName.ForCluster(cluster);

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.UpstreamTlsFailed, Level = LogLevel.Warning,
            Message = "Cluster {Cluster}: mTLS handshake with {Endpoint} failed ({Reason}): {Detail}")]
        public static partial void HandshakeFailed(ILogger logger, string cluster, IPEndPoint endpoint, string reason, string detail);
    }
}

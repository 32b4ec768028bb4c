using System.Net;
using System.Net.Sockets;
using MeshProxy.Configuration;
using MeshProxy.Resilience;
using MeshProxy.Security;
using MeshProxy.Upstream;

namespace MeshProxy.Http;

/// <summary>
/// The default upstream HTTP engine: a SocketsHttpHandler per cluster, set up as a proxy needs it
/// (no cookies, redirects, decompression or proxy discovery) with the cluster's timeouts and source address.
/// A cluster with mTLS gets its TLS from the connect callback: request URIs stay http://, and the handler speaks
/// HTTP/1.1 or HTTP/2 (prior knowledge, matching the ALPN offered) over the authenticated stream.
/// </summary>
public sealed class SocketsHttpEngineFactory : IUpstreamHttpEngineFactory
{
    private readonly UpstreamTlsConnector? _tls;

    /// <param name="tls">Needed for clusters with mTLS; without it such a cluster fails to build.</param>
    public SocketsHttpEngineFactory(UpstreamTlsConnector? tls = null) => _tls = tls;

    public HttpMessageHandler CreateHandler(ClusterConfig cluster)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            // Tracing headers are the telemetry layer's job; the handler must not add its own.
            ActivityHeadersPropagator = null,
            ConnectTimeout = cluster.ConnectTimeout,
            PooledConnectionIdleTimeout = cluster.IdleTimeout == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : cluster.IdleTimeout,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        };
        var connector = cluster.Tls is null ? null : _tls ?? throw new InvalidOperationException($"Cluster '{cluster.Name}' uses mTLS, but the HTTP engine has no TLS connector.");
        handler.ConnectCallback = (context, cancellationToken) => ConnectAsync(cluster, connector, context, cancellationToken);
        return handler;
    }

    /// <summary>
    /// One upstream connection: a place under the cluster's maxConnections (waiting, as a pending request, when it is
    /// full), the TCP connect from the cluster's source address, and mesh mTLS when the cluster asks for it.
    /// </summary>
    private static async ValueTask<Stream> ConnectAsync(ClusterConfig cluster, UpstreamTlsConnector? connector, SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var address = EndpointOf(context.DnsEndPoint);
        var request = context.InitialRequestMessage;
        var proxyContext = request.Options.TryGetValue(ProxyRequestContext.OptionKey, out var found) ? found : null;
        var slot = proxyContext?.Cluster is { } state
            ? await state.Resources.For(proxyContext.Route?.Resilience.Priority ?? RoutingPriority.Default).AcquireConnectionAsync(address, cancellationToken)
            : null;
        try
        {
            var stream = await ConnectAsync(context.DnsEndPoint, cluster.SourceAddresses, cancellationToken);
            if (connector is not null)
            {
                var protocols = request.Version.Major >= 2 ? MeshAlpn.Http2Client : MeshAlpn.Http11Client;
                stream = await connector.AuthenticateAsync(stream, cluster, cluster.Tls!, protocols, proxyContext?.Endpoint, address, cancellationToken);
            }
            if (slot is null)
            {
                return stream;
            }
            proxyContext!.Cluster!.Stats.ConnectionOpened();
            return new ConnectionSlotStream(stream, slot, proxyContext.Cluster.Stats);
        }
        catch (Exception ex)
        {
            slot?.Dispose();
            if (ex is SocketException or UpstreamTlsException)
            {
                proxyContext?.Cluster?.Stats.ConnectFailed();
            }
            throw;
        }
    }

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint target, IReadOnlyList<IPAddress> sourceAddresses, CancellationToken cancellationToken)
    {
        var socket = await UpstreamSocketConnector.ConnectAsync(EndpointOf(target), sourceAddresses, cancellationToken);
        return new NetworkStream(socket, ownsSocket: true);
    }

    // Endpoints are IP literals, so the "DNS" endpoint never needs resolving.
    private static IPEndPoint EndpointOf(DnsEndPoint target) => new(IPAddress.Parse(target.Host.AsSpan().Trim("[]")), target.Port);
}

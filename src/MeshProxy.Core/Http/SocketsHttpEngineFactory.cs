using System.Net;
using System.Net.Sockets;
using MeshProxy.Configuration;
using MeshProxy.Upstream;

namespace MeshProxy.Http;

/// <summary>
/// The default upstream HTTP engine: a SocketsHttpHandler per cluster, set up as a proxy needs it
/// (no cookies, redirects, decompression or proxy discovery) with the cluster's timeouts and source address.
/// </summary>
public sealed class SocketsHttpEngineFactory : IUpstreamHttpEngineFactory
{
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
        var sourceAddresses = cluster.SourceAddresses;
        handler.ConnectCallback = (context, cancellationToken) => ConnectAsync(context.DnsEndPoint, sourceAddresses, cancellationToken);
        return handler;
    }

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint target, IReadOnlyList<IPAddress> sourceAddresses, CancellationToken cancellationToken)
    {
        // Endpoints are IP literals, so the "DNS" endpoint never needs resolving.
        var address = IPAddress.Parse(target.Host.AsSpan().Trim("[]"));
        var socket = await UpstreamSocketConnector.ConnectAsync(new IPEndPoint(address, target.Port), sourceAddresses, cancellationToken);
        return new NetworkStream(socket, ownsSocket: true);
    }
}

using System.IO.Pipelines;
using System.Net.Sockets;
using MeshProxy.Configuration;
using MeshProxy.Listeners;
using MeshProxy.LoadBalancing;
using MeshProxy.Runtime;
using MeshProxy.Security;
using MeshProxy.Telemetry;
using MeshProxy.Upstream;
using MeshProxy.Utilities;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Tcp;

/// <summary>
/// The L4 path (Envoy's tcp_proxy): picks an upstream endpoint for a connection, connects to it, and relays
/// bytes both ways until both sides are done. Upstream bytes are read through a pipe over the connection's stream;
/// writes go straight to the sockets (see <see cref="TcpRelay"/>).
/// </summary>
public sealed partial class TcpProxy
{
    // Upstream bytes are read on demand by the relay (a pipe over the stream, no receive loop of its own), with
    // zero-byte reads so that an idle connection holds no buffer, into 64 KiB segments: large reads instead of 4 KiB
    // pieces each sent on its own (measured on the gateway's passthrough: 447-583 to 616-907 MB/s on this machine).
    // Against a Pipelines.Sockets.Unofficial connection (its own receive loop into a pipe, inline), measured in
    // bench/run-load.sh's bulk-tcp: 1 671 vs 1 634 MiB/s at 683 vs 715 µs CPU per MiB; and one loop, one pipe and
    // one shutdown fewer per connection for the gateway's short connections.
    private static readonly StreamPipeReaderOptions UpstreamReaderOptions = new(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, useZeroByteReads: true);

    private readonly IRandomFactory _randomFactory;
    private readonly UpstreamTlsConnector? _tls;
    private readonly ProxyTelemetry _telemetry;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<TcpProxy> _logger;

    /// <param name="tls">Needed for clusters with mTLS.</param>
    public TcpProxy(IRandomFactory randomFactory, ProxyTelemetry telemetry, TimeProvider timeProvider, ILogger<TcpProxy> logger, UpstreamTlsConnector? tls = null)
    {
        _randomFactory = randomFactory;
        _tls = tls;
        _telemetry = telemetry;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>
    /// Relays a Kestrel connection (after the sidecar's sniffing, or its TLS termination). Writes to the client go
    /// straight to its socket, or into its TLS session, which the listener laid directly over the socket: either way a
    /// FIN can follow the last byte. (Kestrel's own transport would close both directions once its output completes,
    /// cutting off a client that is still sending.)
    /// </summary>
    public Task ProxyAsync(ConnectionContext connection, DownstreamConnection downstream, ProxySnapshot snapshot)
    {
        var socket = connection.Features.GetRequiredFeature<IConnectionSocketFeature>().Socket;
        if (downstream.TlsShutdownLock is not { } shutdownLock)
        {
            return ProxyAsync(connection.Transport.Input, new SocketRelaySink(socket), downstream, snapshot);
        }
        var tls = connection.Features.GetRequiredFeature<ISslStreamFeature>().SslStream;
        return ProxyAsync(shutdownLock.WrapPlaintext(connection.Transport.Input), new TlsRelaySink(tls, shutdownLock, socket), downstream, snapshot);
    }

    /// <summary>Relays a client connection, read from <paramref name="fromClient"/> and written to <paramref name="toClient"/>.</summary>
    internal async Task ProxyAsync(PipeReader fromClient, IRelaySink toClient, DownstreamConnection downstream, ProxySnapshot snapshot)
    {
        var listener = downstream.Listener;
        var node = snapshot.Config.Node;
        var started = _timeProvider.GetTimestamp();
        if (downstream.FilterChain.Tcp is not { } tcp)
        {
            // A black hole (registryOnly) reports as Istio's BlackHoleCluster does: no healthy upstream.
            var flag = downstream.FilterChain.IsBlackHole ? ResponseFlags.NoHealthyUpstream : ResponseFlags.NoRouteFound;
            Log.NoTcpHandler(_logger, listener.Name, downstream.FilterChain.Name, downstream.RemoteEndPoint, downstream.OriginalDestination);
            _telemetry.TcpConnectionClosed(node, downstream, null, null, flag, 0, 0, started, wasOpened: false);
            return;
        }

        var cluster = snapshot.Clusters[tcp.Cluster];
        // A TCP connection has no headers: of the hash policies only the client address applies.
        var hashKey = cluster.Config.LoadBalancer.Hash is { SourceIp: true } ? RequestHash.OfAddress(downstream.RemoteEndPoint?.Address) : null;
        var endpoint = cluster.IsOriginalDestination
            ? downstream.GetOriginalDestinationEndpoint(cluster)
            : cluster.PickEndpoint(new LoadBalancerContext(_randomFactory.CreateRandomInstance(), hashKey));
        if (endpoint is null)
        {
            Log.NoHealthyUpstream(_logger, listener.Name, cluster.Name);
            _telemetry.TcpConnectionClosed(node, downstream, cluster, null, ResponseFlags.NoHealthyUpstream, 0, 0, started, wasOpened: false);
            return;
        }

        // Envoy's max_connections for TCP: a full cluster closes the connection (UO) instead of queueing it.
        using var slot = cluster.Resources.For(RoutingPriority.Default).TryOpenConnection(endpoint.Address);
        if (slot is null)
        {
            Log.Overflow(_logger, listener.Name, cluster.Name);
            _telemetry.TcpConnectionClosed(node, downstream, cluster, endpoint, ResponseFlags.UpstreamOverflow, 0, 0, started, wasOpened: false);
            return;
        }

        UpstreamTransport upstream;
        try
        {
            // Not linked to ConnectionClosed: Kestrel fires it on the client's FIN, and a client may half-close
            // right after sending its request, before the upstream connection is even up.
            using var timeout = new CancellationTokenSource(cluster.Config.ConnectTimeout, _timeProvider);
            upstream = await ConnectAsync(cluster, endpoint, timeout.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or UpstreamTlsException)
        {
            cluster.Stats.ConnectFailed();
            cluster.OutcomeObserver.OnOutcome(endpoint, EndpointOutcome.Failure(ex is OperationCanceledException ? LocalOriginFailure.Timeout : LocalOriginFailure.ConnectFailed));
            Log.ConnectFailed(_logger, listener.Name, cluster.Name, endpoint.Address, ex.Message);
            _telemetry.TcpConnectionClosed(node, downstream, cluster, endpoint, ResponseFlags.UpstreamConnectionFailure, 0, 0, started, wasOpened: false);
            return;
        }

        using var _ = upstream;
        cluster.Stats.ConnectionOpened();
        // A TCP endpoint's success is its accepted connection (Envoy's LocalOriginConnectSuccess): it resets the
        // consecutive-failure count of outlier detection.
        cluster.OutcomeObserver.OnOutcome(endpoint, EndpointOutcome.Response(StatusCodes.Status200OK));
        _telemetry.TcpConnectionOpened(node, downstream, cluster, endpoint);
        var relay = new TcpRelay(tcp.IdleTimeout);
        var outcome = await relay.RunAsync(fromClient, toClient, upstream.Input, upstream.Output);
        cluster.Stats.ConnectionClosed();
        var flags = outcome switch
        {
            TcpRelayOutcome.UpstreamError => ResponseFlags.UpstreamConnectionTermination,
            TcpRelayOutcome.DownstreamError => ResponseFlags.DownstreamConnectionTermination,
            _ => ResponseFlags.None,
        };
        _telemetry.TcpConnectionClosed(node, downstream, cluster, endpoint, flags, relay.BytesToDownstream, relay.BytesToUpstream, started, wasOpened: true);
        if (outcome == TcpRelayOutcome.Failed)
        {
            Log.RelayFailed(_logger, listener.Name, cluster.Name, endpoint.Address, relay.Error);
        }
        else
        {
            Log.RelayEnded(_logger, listener.Name, cluster.Name, endpoint.Address, outcome, relay.BytesToUpstream, relay.BytesToDownstream, relay.Error?.Message ?? "");
        }
    }

    /// <summary>Connects to the endpoint, with mesh mTLS when the cluster asks for it.</summary>
    private async Task<UpstreamTransport> ConnectAsync(ClusterState cluster, EndpointState endpoint, CancellationToken cancellationToken)
    {
        var socket = await UpstreamSocketConnector.ConnectAsync(endpoint.Address, cluster.Config.SourceAddresses, cancellationToken);
        if (cluster.Config.Tls is not { } tls)
        {
            var stream = new NetworkStream(socket, ownsSocket: true);
            return new UpstreamTransport(PipeReader.Create(stream, UpstreamReaderOptions), new SocketRelaySink(socket), stream);
        }
        var connector = _tls ?? throw new InvalidOperationException($"Cluster '{cluster.Name}' uses mTLS, but the TCP proxy has no TLS connector.");
        var shutdownLock = new TlsShutdownLock();
        var ssl = await connector.AuthenticateAsync(shutdownLock.WrapTransport(new NetworkStream(socket, ownsSocket: true)), cluster.Config, tls,
            MeshAlpn.TcpClient, endpoint, endpoint.Address, cancellationToken);
        return new UpstreamTransport(shutdownLock.WrapPlaintext(PipeReader.Create(ssl, UpstreamReaderOptions)), new TlsRelaySink(ssl, shutdownLock, socket), ssl);
    }

    /// <summary>The upstream side of a relay: where its bytes are read and written, and what to dispose at the end.</summary>
    private sealed record UpstreamTransport(PipeReader Input, IRelaySink Output, IDisposable Owner) : IDisposable
    {
        public void Dispose() => Owner.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.TcpUpstreamOverflow, Level = LogLevel.Warning,
            Message = "Listener {Listener}: cluster {Cluster} is at maxConnections; closing the connection (UO)")]
        public static partial void Overflow(ILogger logger, string listener, string cluster);

        [LoggerMessage(EventId = EventIds.ConnectionClosedNoHandler, Level = LogLevel.Debug,
            Message = "Listener {Listener}: filter chain {Chain} has no tcp target; closed the connection from {Remote} to {Destination}")]
        public static partial void NoTcpHandler(ILogger logger, string listener, string chain, System.Net.EndPoint? remote, System.Net.IPEndPoint? destination);

        [LoggerMessage(EventId = EventIds.TcpNoHealthyUpstream, Level = LogLevel.Warning,
            Message = "Listener {Listener}: cluster {Cluster} has no endpoint for this connection; closing it (UH)")]
        public static partial void NoHealthyUpstream(ILogger logger, string listener, string cluster);

        [LoggerMessage(EventId = EventIds.TcpUpstreamConnectFailed, Level = LogLevel.Warning,
            Message = "Listener {Listener}: connecting to {Endpoint} in cluster {Cluster} failed: {Reason} (UF)")]
        public static partial void ConnectFailed(ILogger logger, string listener, string cluster, System.Net.IPEndPoint endpoint, string reason);

        [LoggerMessage(EventId = EventIds.TcpRelayFailed, Level = LogLevel.Warning,
            Message = "Listener {Listener}: the relay to {Endpoint} ({Cluster}) failed; the connection is closed")]
        public static partial void RelayFailed(ILogger logger, string listener, string cluster, System.Net.IPEndPoint endpoint, Exception? exception);

        [LoggerMessage(EventId = EventIds.TcpRelayEnded, Level = LogLevel.Debug,
            Message = "Listener {Listener}: relay to {Endpoint} ({Cluster}) ended: {Outcome}, {Sent} bytes sent, {Received} bytes received {Error}")]
        public static partial void RelayEnded(ILogger logger, string listener, string cluster, System.Net.IPEndPoint endpoint, TcpRelayOutcome outcome, long sent, long received, string error);
    }
}

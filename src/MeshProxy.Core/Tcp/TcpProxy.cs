using System.IO.Pipelines;
using System.Net.Sockets;
using MeshProxy.Configuration;
using MeshProxy.Listeners;
using MeshProxy.Runtime;
using MeshProxy.Telemetry;
using MeshProxy.Upstream;
using MeshProxy.Utilities;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;
using Pipelines.Sockets.Unofficial;

namespace MeshProxy.Tcp;

/// <summary>
/// The L4 path (Envoy's tcp_proxy): picks an upstream endpoint for a connection, connects to it, and relays
/// bytes both ways until both sides are done. Upstream bytes are read through a Pipelines.Sockets.Unofficial
/// connection; writes go straight to the sockets (see <see cref="TcpRelay"/>).
/// </summary>
public sealed partial class TcpProxy
{
    private static readonly PipeOptions UpstreamPipeOptions = new(
        pauseWriterThreshold: 1024 * 1024,
        resumeWriterThreshold: 512 * 1024,
        useSynchronizationContext: false);

    private readonly IRandomFactory _randomFactory;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<TcpProxy> _logger;

    public TcpProxy(IRandomFactory randomFactory, TimeProvider timeProvider, ILogger<TcpProxy> logger)
    {
        _randomFactory = randomFactory;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public async Task ProxyAsync(ConnectionContext connection, DownstreamConnection downstream, ProxySnapshot snapshot)
    {
        var listener = downstream.Listener;
        if (downstream.FilterChain.Tcp is not { } tcp)
        {
            Log.NoTcpHandler(_logger, listener.Name, downstream.FilterChain.Name, connection.RemoteEndPoint, downstream.OriginalDestination);
            return;
        }

        var cluster = snapshot.Clusters[tcp.Cluster];
        var endpoint = cluster.IsOriginalDestination
            ? downstream.GetOriginalDestinationEndpoint(cluster)
            : cluster.PickEndpoint(_randomFactory.CreateRandomInstance());
        if (endpoint is null)
        {
            Log.NoHealthyUpstream(_logger, listener.Name, cluster.Name);
            return;
        }

        Socket socket;
        try
        {
            // Not linked to ConnectionClosed: Kestrel fires it on the client's FIN, and a client may half-close
            // right after sending its request, before the upstream connection is even up.
            using var timeout = new CancellationTokenSource(cluster.Config.ConnectTimeout, _timeProvider);
            socket = await UpstreamSocketConnector.ConnectAsync(endpoint.Address, cluster.Config.SourceAddresses, timeout.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            cluster.Stats.ConnectFailed();
            Log.ConnectFailed(_logger, listener.Name, cluster.Name, endpoint.Address, ex.Message);
            return;
        }

        cluster.Stats.ConnectionOpened();
        using var upstream = SocketConnection.Create(socket, UpstreamPipeOptions, SocketConnectionOptions.ZeroLengthReads);
        var clientSocket = connection.Features.Get<IConnectionSocketFeature>()?.Socket;
        IRelaySink toClient = clientSocket is not null && !downstream.IsTlsTerminated
            ? new SocketRelaySink(clientSocket)
            : new PipeRelaySink(connection.Transport.Output);
        var relay = new TcpRelay(tcp.IdleTimeout);
        var outcome = await relay.RunAsync(connection.Transport.Input, toClient, upstream.Input, new SocketRelaySink(socket));
        cluster.Stats.ConnectionClosed();
        Log.RelayEnded(_logger, listener.Name, cluster.Name, endpoint.Address, outcome, relay.BytesToUpstream, relay.BytesToDownstream, relay.Error?.Message ?? "");
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.ConnectionClosedNoHandler, Level = LogLevel.Debug,
            Message = "Listener {Listener}: filter chain {Chain} has no tcp target; closed the connection from {Remote} to {Destination}")]
        public static partial void NoTcpHandler(ILogger logger, string listener, string chain, System.Net.EndPoint? remote, System.Net.IPEndPoint? destination);

        [LoggerMessage(EventId = EventIds.TcpNoHealthyUpstream, Level = LogLevel.Warning,
            Message = "Listener {Listener}: cluster {Cluster} has no endpoint for this connection; closing it (UH)")]
        public static partial void NoHealthyUpstream(ILogger logger, string listener, string cluster);

        [LoggerMessage(EventId = EventIds.TcpUpstreamConnectFailed, Level = LogLevel.Warning,
            Message = "Listener {Listener}: connecting to {Endpoint} in cluster {Cluster} failed: {Reason} (UF)")]
        public static partial void ConnectFailed(ILogger logger, string listener, string cluster, System.Net.IPEndPoint endpoint, string reason);

        [LoggerMessage(EventId = EventIds.TcpRelayEnded, Level = LogLevel.Debug,
            Message = "Listener {Listener}: relay to {Endpoint} ({Cluster}) ended: {Outcome}, {Sent} bytes sent, {Received} bytes received {Error}")]
        public static partial void RelayEnded(ILogger logger, string listener, string cluster, System.Net.IPEndPoint endpoint, TcpRelayOutcome outcome, long sent, long received, string error);
    }
}

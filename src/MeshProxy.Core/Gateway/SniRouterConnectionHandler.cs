using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using MeshProxy.Configuration;
using MeshProxy.Listeners;
using MeshProxy.Runtime;
using MeshProxy.Tcp;
using MeshProxy.Telemetry;
using MeshProxy.Tls;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Gateway;

/// <summary>
/// The SNI router: what a tls listener (the east-west gateway) does with each connection. It reads the ClientHello
/// without consuming it (Envoy's tls_inspector), picks a route by the server name and ALPN, and hands the connection to
/// the TCP relay, which sends the buffered hello and everything after it to an endpoint the route's cluster picks.
/// TLS is never terminated: the gateway holds no keys and sees no plaintext, and the TLS session is the client's and
/// the backend's. A connection that cannot be routed is closed and counted in <see cref="SniRouterStats"/>.
/// </summary>
/// <remarks>
/// The listener's <see cref="ListenerAcceptor"/> hands it each connection that arrives while the current config makes
/// the listener a tls listener, straight from accept and without Kestrel, so a reload can turn a listener into a
/// gateway, or back, at the same socket. A connection accepted just before such a reload may already be on its way
/// to Kestrel: <see cref="Entry"/>, in front of the sidecar chain (<see cref="ListenerConnectionHandler"/>), takes it.
/// </remarks>
internal sealed partial class SniRouterConnectionHandler : IDirectConnectionHandler
{
    // 16 KiB: a whole TLS record per read. Rented only when bytes have arrived.
    private static readonly StreamPipeReaderOptions ClientReaderOptions = new(bufferSize: 16 * 1024, minimumReadSize: 4 * 1024, useZeroByteReads: true);

    private readonly string _listenerName;
    private readonly ConfigManager _configManager;
    private readonly TcpProxy _tcpProxy;
    private readonly ProxyTelemetry _telemetry;
    private readonly StatsRegistry _stats;
    private readonly ListenerStats _listenerStats;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private SniRouterStats? _routerStats;
    private SniRouteTable? _table;

    public SniRouterConnectionHandler(ListenerConfig listener, ConfigManager configManager, TcpProxy tcpProxy, ProxyTelemetry telemetry, StatsRegistry stats,
        TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        _listenerName = listener.Name;
        _configManager = configManager;
        _tcpProxy = tcpProxy;
        _telemetry = telemetry;
        _stats = stats;
        _listenerStats = stats.Listener(listener.Name);
        _timeProvider = timeProvider;
        _logger = loggerFactory.CreateLogger("MeshProxy.Gateway." + listener.Name);
        if (listener.Protocol == ListenerProtocol.Tls)
        {
            // Registered now, so the router's counters are exported (at 0) before the first connection.
            _ = RouterStats;
        }
    }

    private SniRouterStats RouterStats => _routerStats ??= _stats.SniRouter(_listenerName);

    /// <summary>Whether the listener is a tls listener in the current config: then the acceptor hands its connections here.</summary>
    public bool TakesConnections => _configManager.HasConfig
        && _configManager.Current.Listeners.TryGetValue(_listenerName, out var state) && state.Config.Protocol == ListenerProtocol.Tls;

    /// <summary>
    /// A connection straight from the listener's acceptor. The client is read through a pipe over its socket (with
    /// zero-byte reads, so an idle connection holds no buffer) and written to directly.
    /// </summary>
    public async Task HandleAsync(Socket socket)
    {
        var input = PipeReader.Create(new NetworkStream(socket, ownsSocket: true), ClientReaderOptions);
        try
        {
            await OnConnectedAsync(input, new SocketRelaySink(socket), socket.RemoteEndPoint as IPEndPoint, socket.LocalEndPoint as IPEndPoint);
        }
        finally
        {
            await input.CompleteAsync();
        }
    }

    /// <summary>
    /// The listener's outermost Kestrel middleware: a connection that reaches Kestrel while the listener is a tls listener
    /// (one accepted just before a reload made it so) comes here; the others go on to <paramref name="sidecar"/>.
    /// </summary>
    public ConnectionDelegate Entry(ConnectionDelegate sidecar) => connection => TakesConnections
        ? OnConnectedAsync(connection.Transport.Input, new SocketRelaySink(connection.Features.GetRequiredFeature<IConnectionSocketFeature>().Socket),
            connection.RemoteEndPoint as IPEndPoint,
            connection.LocalEndPoint as IPEndPoint)
        : sidecar(connection);

    private async Task OnConnectedAsync(PipeReader input, IRelaySink output, IPEndPoint? remote, IPEndPoint? local)
    {
        var snapshot = _configManager.Acquire();
        _listenerStats.ConnectionOpened();
        try
        {
            // A reload between the dispatch and the lease may have made this listener something else: close.
            if (!snapshot.Listeners.TryGetValue(_listenerName, out var state) || state.Config.Protocol != ListenerProtocol.Tls)
            {
                return;
            }
            var listener = state.Config;
            var downstream = new DownstreamConnection(listener, remote, local);
            var started = _timeProvider.GetTimestamp();
            ClientHelloReadResult read;
            try
            {
                // Not linked to ConnectionClosed: Kestrel fires it on the client's FIN, and the reader sees that anyway.
                read = await ClientHelloReader.ReadAsync(input, ClientHelloLimits.Default, listener.DetectionTimeout, _timeProvider, CancellationToken.None);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException)
            {
                // A reset, or the transport aborted by a drain.
                RouterStats.OnConnectionClosed();
                Log.ClientHelloIncomplete(_logger, _listenerName, downstream.RemoteEndPoint, ex.Message);
                return;
            }

            var route = Route(read, downstream, RouteTable(snapshot, listener), snapshot.Config.Node, started);
            if (route is null)
            {
                return;
            }
            downstream.FilterChain = route.Chain;
            route.Stats.OnOpened();
            try
            {
                await _tcpProxy.ProxyAsync(input, output, downstream, snapshot);
            }
            finally
            {
                route.Stats.OnClosed();
            }
        }
        finally
        {
            _listenerStats.ConnectionClosed();
            snapshot.Release();
        }
    }

    /// <summary>The route for a connection whose hello was read, or null when it is to be closed (counted and logged here).</summary>
    private SniRoute? Route(in ClientHelloReadResult read, DownstreamConnection downstream, SniRouteTable table, NodeConfig node, long started)
    {
        var stats = RouterStats;
        var listener = downstream.Listener;
        switch (read.Status)
        {
            case ClientHelloReadStatus.TimedOut:
                _listenerStats.DetectionTimedOut();
                Log.ClientHelloTimedOut(_logger, _listenerName, downstream.RemoteEndPoint, listener.DetectionTimeout);
                return null;
            case ClientHelloReadStatus.EndOfStream or ClientHelloReadStatus.ReadCanceled:
                stats.OnConnectionClosed();
                Log.ClientHelloIncomplete(_logger, _listenerName, downstream.RemoteEndPoint, read.Status.ToString());
                return null;
        }

        ref readonly var parsed = ref read.ParseResult;
        if (parsed.Status == ClientHelloParseStatus.NotTls)
        {
            if (parsed.Reason == NotTlsReason.TooLarge)
            {
                stats.OnClientHelloTooLarge();
            }
            else
            {
                stats.OnTlsNotFound();
            }
            Log.NotTls(_logger, _listenerName, downstream.RemoteEndPoint, parsed.Reason);
            return null;
        }
        ref readonly var hello = ref parsed.Hello;
        if (!hello.HasServerName)
        {
            stats.OnSniNotFound();
            Log.NoServerName(_logger, _listenerName, downstream.RemoteEndPoint);
            return null;
        }

        var match = table.Match(hello.ServerName, hello.ApplicationProtocols, out var route, out var exactName);
        downstream.ServerName = exactName ?? hello.GetServerName();
        route = match == SniMatch.Matched ? route : table.Default;
        if (route is not null)
        {
            Log.Routed(_logger, _listenerName, downstream.RemoteEndPoint, downstream.ServerName, route.Name, route.Chain.Tcp!.Cluster);
            return route;
        }
        stats.OnNoFilterChainMatch();
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.NoRoute(_logger, _listenerName, downstream.RemoteEndPoint, match, hello.ToString());
        }
        // Envoy's NR (filter_chain_not_found): reported like a TCP connection that reached no upstream.
        _telemetry.TcpConnectionClosed(node, downstream, null, null, ResponseFlags.NoRouteFound, 0, 0, started, wasOpened: false);
        return null;
    }

    /// <summary>The routes of the snapshot's config, compiled once per snapshot.</summary>
    private SniRouteTable RouteTable(ProxySnapshot snapshot, ListenerConfig listener)
    {
        var table = Volatile.Read(ref _table);
        if (table is null || table.Version != snapshot.Version)
        {
            table = SniRouteTable.Build(listener, snapshot.Config, RouterStats, snapshot.Version);
            Volatile.Write(ref _table, table);
        }
        return table;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.SniRouted, Level = LogLevel.Debug,
            Message = "Listener {Listener}: {Remote} asked for {ServerName}; passing it through by route {Route} to cluster {Cluster}")]
        public static partial void Routed(ILogger logger, string listener, EndPoint? remote, string? serverName, string route, string cluster);

        [LoggerMessage(EventId = EventIds.SniNoRoute, Level = LogLevel.Debug,
            Message = "Listener {Listener}: closed {Remote}: no route ({Match}) and no default cluster for its ClientHello {Hello} (NR)")]
        public static partial void NoRoute(ILogger logger, string listener, EndPoint? remote, SniMatch match, string hello);

        [LoggerMessage(EventId = EventIds.SniNotTls, Level = LogLevel.Debug,
            Message = "Listener {Listener}: closed {Remote}: it did not open with a usable TLS ClientHello ({Reason})")]
        public static partial void NotTls(ILogger logger, string listener, EndPoint? remote, NotTlsReason reason);

        [LoggerMessage(EventId = EventIds.SniNoServerName, Level = LogLevel.Debug,
            Message = "Listener {Listener}: closed {Remote}: its ClientHello has no server name (SNI) to route by")]
        public static partial void NoServerName(ILogger logger, string listener, EndPoint? remote);

        [LoggerMessage(EventId = EventIds.SniClientHelloTimedOut, Level = LogLevel.Debug,
            Message = "Listener {Listener}: closed {Remote}: its ClientHello did not arrive within {Timeout}")]
        public static partial void ClientHelloTimedOut(ILogger logger, string listener, EndPoint? remote, TimeSpan timeout);

        [LoggerMessage(EventId = EventIds.SniClientHelloIncomplete, Level = LogLevel.Debug,
            Message = "Listener {Listener}: {Remote} left before its ClientHello was complete ({Reason})")]
        public static partial void ClientHelloIncomplete(ILogger logger, string listener, EndPoint? remote, string reason);
    }
}

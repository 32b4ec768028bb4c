using System.Net;
using MeshProxy.Configuration;
using MeshProxy.Runtime;
using MeshProxy.Tcp;
using MeshProxy.Telemetry;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Listeners;

/// <summary>
/// The first thing every connection on a data-plane listener meets. It recovers the original destination of
/// captured connections (refusing those that were not redirected, so a misconfiguration cannot loop), sniffs the
/// protocol, and hands the connection to Kestrel's HTTP server or to the TCP relay.
/// </summary>
/// <remarks>
/// Each listener's Kestrel chain is: this handler, then Kestrel's TLS middleware, then <see cref="CaptureHttp"/>,
/// then Kestrel's HTTP server. Plaintext HTTP skips the TLS middleware by calling the captured HTTP delegate
/// directly; the TLS middleware is only entered for connections the proxy terminates (mTLS, inbound).
/// Having it in the chain also keeps Kestrel from downgrading the cleartext endpoint to HTTP/1.1 only.
/// </remarks>
internal sealed partial class ListenerConnectionHandler
{
    private readonly string _listenerName;
    private readonly ConfigManager _configManager;
    private readonly TcpProxy _tcpProxy;
    private readonly ListenerStats _stats;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private ConnectionDelegate? _http;

    public ListenerConnectionHandler(string listenerName, ConfigManager configManager, TcpProxy tcpProxy, ListenerStats stats, TimeProvider timeProvider, ILogger logger)
    {
        _listenerName = listenerName;
        _configManager = configManager;
        _tcpProxy = tcpProxy;
        _stats = stats;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The outermost middleware of the listener.</summary>
    public ConnectionDelegate Entry(ConnectionDelegate tlsTermination) => OnConnectedAsync;

    /// <summary>The innermost middleware: remembers Kestrel's HTTP server so plaintext HTTP can go straight to it.</summary>
    public ConnectionDelegate CaptureHttp(ConnectionDelegate http)
    {
        _http = http;
        return http;
    }

    private async Task OnConnectedAsync(ConnectionContext connection)
    {
        var snapshot = _configManager.Acquire();
        var leased = true;
        _stats.ConnectionOpened();
        try
        {
            if (!snapshot.Listeners.TryGetValue(_listenerName, out var listenerState))
            {
                return;
            }
            var listener = listenerState.Config;
            var downstream = new DownstreamConnection(listener, connection.RemoteEndPoint as IPEndPoint, connection.LocalEndPoint as IPEndPoint);
            if (listener.Capture != CaptureMode.None && !TryResolveOriginalDestination(connection, downstream))
            {
                return;
            }
            downstream.FilterChain = listenerState.SelectFilterChain(downstream.RoutingDestination);
            connection.Features.Set(downstream);

            var detection = listener.Protocol == ListenerProtocol.Tcp
                ? new Detection(DetectedProtocol.Opaque, TimedOut: false)
                : await ProtocolDetector.DetectAsync(connection.Transport.Input, listener.DetectionTimeout, _timeProvider, connection.ConnectionClosed);
            downstream.Protocol = detection.Protocol;

            if (detection.Protocol == DetectedProtocol.NeedMoreData)
            {
                if (!detection.TimedOut || listener.OnDetectionTimeout == DetectionTimeoutAction.Close)
                {
                    if (detection.TimedOut)
                    {
                        _stats.DetectionTimedOut();
                        Log.DetectionTimedOut(_logger, _listenerName, downstream.RemoteEndPoint, listener.DetectionTimeout);
                    }
                    return;
                }
                await _tcpProxy.ProxyAsync(connection, downstream, snapshot);
                return;
            }

            if (IsHttp(detection.Protocol, listener, downstream.FilterChain))
            {
                if (detection.Protocol == DetectedProtocol.Http2)
                {
                    connection.Features.Set<ITlsApplicationProtocolFeature>(PriorKnowledgeHttp2Feature.Instance);
                    connection.Features.Set<ITlsConnectionFeature>(PriorKnowledgeHttp2Feature.Instance);
                }
                // Each request leases its own snapshot; a keep-alive connection must not pin this one.
                snapshot.Release();
                leased = false;
                await _http!(connection);
                return;
            }

            await _tcpProxy.ProxyAsync(connection, downstream, snapshot);
        }
        finally
        {
            _stats.ConnectionClosed();
            if (leased)
            {
                snapshot.Release();
            }
        }
    }

    /// <summary>
    /// HTTP goes to the HTTP server when the connection's filter chain routes HTTP (a black hole answers it with 502).
    /// A listener that only speaks HTTP also gets undecodable bytes there, so the client receives a 400 rather than
    /// a silent close.
    /// </summary>
    private static bool IsHttp(DetectedProtocol protocol, ListenerConfig listener, FilterChain chain) => (chain.Http is not null || chain.IsBlackHole) && protocol switch
    {
        DetectedProtocol.Http1 or DetectedProtocol.Http2 => true,
        DetectedProtocol.Opaque => listener.Protocol == ListenerProtocol.Http,
        _ => false,
    };

    private bool TryResolveOriginalDestination(ConnectionContext connection, DownstreamConnection downstream)
    {
        var socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket;
        var original = socket is null ? null : OriginalDestination.TryRead(socket);
        if (original is null)
        {
            Log.NoOriginalDestination(_logger, _listenerName, downstream.RemoteEndPoint);
            return false;
        }
        if (original.Equals(downstream.LocalEndPoint))
        {
            // Nothing redirected this connection: it was made to the listener itself. Forwarding it to its
            // "original" destination would connect back here, forever.
            _stats.RefusedConnection();
            Log.RefusedNotRedirected(_logger, _listenerName, downstream.RemoteEndPoint, original);
            return false;
        }
        downstream.OriginalDestination = original;
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.ConnectionRefusedNoRedirect, Level = LogLevel.Warning,
            Message = "Listener {Listener}: refused a connection from {Remote} whose original destination {Original} is the listener itself (it was not redirected; forwarding it would loop)")]
        public static partial void RefusedNotRedirected(ILogger logger, string listener, EndPoint? remote, IPEndPoint original);

        [LoggerMessage(EventId = EventIds.OriginalDestinationUnavailable, Level = LogLevel.Warning,
            Message = "Listener {Listener}: closed a connection from {Remote}: it has no original destination (SO_ORIGINAL_DST), so it did not come through iptables capture")]
        public static partial void NoOriginalDestination(ILogger logger, string listener, EndPoint? remote);

        [LoggerMessage(EventId = EventIds.DetectionTimedOut, Level = LogLevel.Debug,
            Message = "Listener {Listener}: {Remote} sent nothing within {Timeout}; closing the connection")]
        public static partial void DetectionTimedOut(ILogger logger, string listener, EndPoint? remote, TimeSpan timeout);
    }
}

using System.Net;
using System.Net.Security;
using MeshProxy.Configuration;
using MeshProxy.Identity.Tls;
using MeshProxy.Runtime;
using MeshProxy.Security;
using MeshProxy.Security.Authorization;
using MeshProxy.Tcp;
using MeshProxy.Telemetry;
using MeshProxy.Tls;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Listeners;

/// <summary>
/// The first thing every connection on a data-plane listener meets. It recovers the original destination of
/// captured connections (refusing those that were not redirected, so a misconfiguration cannot loop), sniffs the
/// protocol, terminates mesh mTLS where the filter chain's mode asks for it, applies inbound authorization to TCP,
/// and hands the connection to Kestrel's HTTP server or to the TCP relay.
/// </summary>
/// <remarks>
/// Each listener's Kestrel chain is: this handler, then Kestrel's TLS middleware, then <see cref="CaptureHttp"/>'s
/// dispatcher, then Kestrel's HTTP server. Plaintext HTTP skips the TLS middleware by calling the captured HTTP
/// delegate directly; the TLS middleware is only entered for connections the proxy terminates (mesh mTLS), and
/// hands the decrypted connection to the dispatcher, which sends it on to HTTP or TCP by ALPN or by sniffing.
/// Having the TLS middleware in the chain also keeps Kestrel from downgrading the cleartext endpoint to HTTP/1.1.
/// TLS modes (Istio's PeerAuthentication): DISABLE relays TLS untouched; PERMISSIVE terminates TLS whose ClientHello
/// offers an Istio ALPN ("istio", "istio-h2", ...) and relays other TLS (the app's own) and plaintext; STRICT
/// terminates all TLS and refuses plaintext.
/// </remarks>
internal sealed partial class ListenerConnectionHandler
{
    private readonly string _listenerName;
    private readonly ConfigManager _configManager;
    private readonly TcpProxy _tcpProxy;
    private readonly ListenerStats _stats;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly MeshIdentity _identity;
    private readonly InboundAuthorization _authorization;
    private ConnectionDelegate? _http;
    private ConnectionDelegate? _tlsTermination;

    public ListenerConnectionHandler(string listenerName, ConfigManager configManager, TcpProxy tcpProxy, ListenerStats stats, MeshIdentity identity,
        InboundAuthorization authorization, TimeProvider timeProvider, ILogger logger)
    {
        _listenerName = listenerName;
        _configManager = configManager;
        _tcpProxy = tcpProxy;
        _stats = stats;
        _identity = identity;
        _authorization = authorization;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The outermost middleware of the listener; remembers the TLS middleware for connections it terminates.</summary>
    public ConnectionDelegate Entry(ConnectionDelegate tlsTermination)
    {
        _tlsTermination = tlsTermination;
        return OnConnectedAsync;
    }

    /// <summary>The innermost middleware: remembers Kestrel's HTTP server so plaintext HTTP can go straight to it.</summary>
    public ConnectionDelegate CaptureHttp(ConnectionDelegate http)
    {
        _http = http;
        return OnTlsEstablishedAsync;
    }

    /// <summary>The TLS middleware's per-handshake options: this proxy's current SVID, and a client SVID required.</summary>
    public ValueTask<SslServerAuthenticationOptions> CreateTlsOptionsAsync(TlsHandshakeCallbackContext context)
    {
        var downstream = context.Connection.Features.GetRequiredFeature<DownstreamConnection>();
        downstream.ServerName = string.IsNullOrEmpty(context.ClientHelloInfo.ServerName) ? null : context.ClientHelloInfo.ServerName;
        var verification = new PeerVerification();
        context.Connection.Features.Set(verification);
        return ValueTask.FromResult(_identity.CreateServerOptions(verification));
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

            var detectionStarted = _timeProvider.GetTimestamp();
            var detection = listener.Protocol == ListenerProtocol.Tcp
                ? new Detection(DetectedProtocol.Opaque, TimedOut: false)
                : await ProtocolDetector.DetectAsync(connection.Transport.Input, listener.DetectionTimeout, _timeProvider);
            downstream.Protocol = detection.Protocol;
            var tlsMode = downstream.FilterChain.TlsMode;

            var meshAlpn = false;
            if (detection.Protocol == DetectedProtocol.Tls && tlsMode == DownstreamTlsMode.Permissive)
            {
                // Sniffing and the whole hello share one detection timeout, as Envoy's listener filters do.
                var remaining = listener.DetectionTimeout - _timeProvider.GetElapsedTime(detectionStarted);
                if (await OffersMeshAlpnAsync(connection, remaining) is not { } offers)
                {
                    return;
                }
                meshAlpn = offers;
            }
            if (detection.Protocol == DetectedProtocol.Tls && (tlsMode == DownstreamTlsMode.Strict || meshAlpn))
            {
                // The handshake and whatever follows lease snapshots of their own.
                snapshot.Release();
                leased = false;
                await TerminateTlsAsync(connection, downstream);
                return;
            }
            if (tlsMode == DownstreamTlsMode.Strict)
            {
                _stats.PlaintextWasRefused();
                Log.PlaintextRefused(_logger, _listenerName, downstream.RemoteEndPoint, downstream.FilterChain.Name);
                return;
            }

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
                await ProxyTcpAsync(connection, downstream, snapshot);
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

            await ProxyTcpAsync(connection, downstream, snapshot);
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
    /// PERMISSIVE terminates only mesh mTLS, which Istio's clients mark with an "istio" ALPN; other TLS is the app's own.
    /// Null when the client reset the connection before its ClientHello was complete.
    /// </summary>
    private async ValueTask<bool?> OffersMeshAlpnAsync(ConnectionContext connection, TimeSpan timeout)
    {
        ClientHelloReadResult read;
        try
        {
            // Not ConnectionClosed: it fires on the client's FIN (see ProtocolDetector).
            read = await ClientHelloReader.ReadAsync(connection.Transport.Input, ClientHelloLimits.Default, timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero,
                _timeProvider, CancellationToken.None);
        }
        catch (IOException)
        {
            return null;
        }
        if (read.Status != ClientHelloReadStatus.Completed || read.ParseResult.Status != ClientHelloParseStatus.Found)
        {
            return false;
        }
        foreach (var protocol in read.ParseResult.Hello.ApplicationProtocols)
        {
            if (MeshAlpn.IsMeshProtocol(protocol))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Runs Kestrel's TLS middleware, which calls <see cref="OnTlsEstablishedAsync"/> once the handshake succeeds. The
    /// session sits on a transport of our own (<see cref="TlsShutdownLock"/>), so a TCP relay over it can half-close:
    /// send close_notify and a FIN while the client keeps sending.
    /// </summary>
    private async Task TerminateTlsAsync(ConnectionContext connection, DownstreamConnection downstream)
    {
        if (!_identity.HasIdentity)
        {
            CountTlsFailure(downstream, "no_identity", "this proxy has no SVID yet");
            return;
        }
        var transport = connection.Transport;
        downstream.TlsShutdownLock = new TlsShutdownLock();
        connection.Transport = downstream.TlsShutdownLock.WrapTransport(transport.Input, connection.Features.GetRequiredFeature<IConnectionSocketFeature>().Socket);
        try
        {
            await _tlsTermination!(connection);
        }
        finally
        {
            connection.Transport = transport;
        }
        if (!downstream.IsTlsTerminated)
        {
            var verification = connection.Features.Get<PeerVerification>();
            var reason = verification is null ? "handshake_error" : MeshIdentity.FailureReason(verification);
            CountTlsFailure(downstream, reason, verification?.Result?.Detail ?? "the handshake failed before the peer's certificate was checked");
        }
    }

    private void CountTlsFailure(DownstreamConnection downstream, string reason, string detail)
    {
        _stats.TlsFailures.Increment(reason);
        Log.TlsFailed(_logger, _listenerName, downstream.RemoteEndPoint, reason, detail);
    }

    /// <summary>The decrypted connection, after a successful handshake: to HTTP by ALPN (or by sniffing), else to TCP.</summary>
    private async Task OnTlsEstablishedAsync(ConnectionContext connection)
    {
        var downstream = connection.Features.GetRequiredFeature<DownstreamConnection>();
        var peerId = connection.Features.Get<PeerVerification>()?.PeerId?.ToString();
        downstream.IsTlsTerminated = true;
        downstream.PeerPrincipal = peerId;
        if (peerId is not null && connection.Features.Get<ITlsConnectionFeature>()?.ClientCertificate is { } certificate)
        {
            downstream.ForwardedClientCert = ForwardedClientCert.Format(_identity.Id?.ToString(), certificate, peerId);
        }
        _stats.TlsHandshakeCompleted();

        var alpn = connection.Features.Get<ITlsApplicationProtocolFeature>()?.ApplicationProtocol ?? default;
        var alpnIsH2 = alpn.Span.SequenceEqual(SslApplicationProtocol.Http2.Protocol.Span);
        var protocol = alpnIsH2 ? DetectedProtocol.Http2
            : alpn.Span.SequenceEqual(SslApplicationProtocol.Http11.Protocol.Span) ? DetectedProtocol.Http1
            : (await ProtocolDetector.DetectAsync(connection.Transport.Input, downstream.Listener.DetectionTimeout, _timeProvider)).Protocol;
        downstream.Protocol = protocol;
        if (protocol == DetectedProtocol.NeedMoreData)
        {
            return;
        }
        if (IsHttp(protocol, downstream.Listener, downstream.FilterChain))
        {
            if (protocol == DetectedProtocol.Http2 && !alpnIsH2)
            {
                // An h2 preface without ALPN h2: Kestrel picks HTTP/2 by ALPN only.
                connection.Features.Set<ITlsApplicationProtocolFeature>(PriorKnowledgeHttp2Feature.Instance);
            }
            await _http!(connection);
            return;
        }
        var snapshot = _configManager.Acquire();
        try
        {
            await ProxyTcpAsync(connection, downstream, snapshot);
        }
        finally
        {
            snapshot.Release();
        }
    }

    /// <summary>Relays a connection as TCP, once inbound authorization (if any) has allowed it.</summary>
    private Task ProxyTcpAsync(ConnectionContext connection, DownstreamConnection downstream, ProxySnapshot snapshot)
        => _authorization.Authorize(snapshot, downstream, method: null, path: null).IsAllowed
            ? _tcpProxy.ProxyAsync(connection, downstream, snapshot)
            : Task.CompletedTask;

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
        [LoggerMessage(EventId = EventIds.PlaintextRefused, Level = LogLevel.Debug,
            Message = "Listener {Listener}: refused plaintext from {Remote}: filter chain {Chain} is STRICT mTLS")]
        public static partial void PlaintextRefused(ILogger logger, string listener, EndPoint? remote, string chain);

        [LoggerMessage(EventId = EventIds.InboundTlsFailed, Level = LogLevel.Information,
            Message = "Listener {Listener}: mTLS handshake with {Remote} failed ({Reason}): {Detail}")]
        public static partial void TlsFailed(ILogger logger, string listener, EndPoint? remote, string reason, string detail);

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

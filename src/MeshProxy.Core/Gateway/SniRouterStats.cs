using System.Collections.Concurrent;

namespace MeshProxy.Gateway;

/// <summary>
/// The SNI router's counters for one tls listener, named after Envoy's tls_inspector and listener stats
/// (listener.&lt;name&gt;.tls_inspector.*, listener.&lt;name&gt;.no_filter_chain_match), plus one set per route. Each
/// connection that is closed before it is routed counts in exactly one of them (a timeout counts in the listener's
/// downstream_cx_detection_timeout). Thread-safe; kept for the life of the process, across reloads.
/// </summary>
public sealed class SniRouterStats
{
    private readonly ConcurrentDictionary<(string Route, string Cluster), SniRouteStats> _routes = new();
    private long _clientHelloTooLarge;
    private long _tlsNotFound;
    private long _sniNotFound;
    private long _connectionClosed;
    private long _noFilterChainMatch;

    /// <summary>ClientHellos longer than the limit (16 KiB) or fragmented over too many records: tls_inspector.client_hello_too_large.</summary>
    public long ClientHelloTooLarge => Interlocked.Read(ref _clientHelloTooLarge);

    /// <summary>Connections that did not open with a well-formed ClientHello: tls_inspector.tls_not_found.</summary>
    public long TlsNotFound => Interlocked.Read(ref _tlsNotFound);

    /// <summary>ClientHellos without a server name: tls_inspector.sni_not_found.</summary>
    public long SniNotFound => Interlocked.Read(ref _sniNotFound);

    /// <summary>Connections closed or reset by the client before its ClientHello was complete: tls_inspector.connection_closed.</summary>
    public long ConnectionClosed => Interlocked.Read(ref _connectionClosed);

    /// <summary>ClientHellos whose server name (and ALPN) no route matched, with no default cluster: no_filter_chain_match.</summary>
    public long NoFilterChainMatch => Interlocked.Read(ref _noFilterChainMatch);

    /// <summary>Every route that has been used or compiled, by name and cluster.</summary>
    public IEnumerable<SniRouteStats> Routes => _routes.Values.OrderBy(r => r.Route, StringComparer.Ordinal).ThenBy(r => r.Cluster, StringComparer.Ordinal);

    public SniRouteStats Route(string route, string cluster) => _routes.GetOrAdd((route, cluster), static key => new SniRouteStats(key.Route, key.Cluster));

    internal void OnClientHelloTooLarge() => Interlocked.Increment(ref _clientHelloTooLarge);

    internal void OnTlsNotFound() => Interlocked.Increment(ref _tlsNotFound);

    internal void OnSniNotFound() => Interlocked.Increment(ref _sniNotFound);

    internal void OnConnectionClosed() => Interlocked.Increment(ref _connectionClosed);

    internal void OnNoFilterChainMatch() => Interlocked.Increment(ref _noFilterChainMatch);
}

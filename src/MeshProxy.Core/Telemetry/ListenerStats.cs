namespace MeshProxy.Telemetry;

/// <summary>Envoy-style counters for one listener (listener.&lt;name&gt;.downstream_* and http.&lt;name&gt;.downstream_rq_*). Thread-safe.</summary>
public sealed class ListenerStats
{
    private long _connectionsTotal;
    private long _connectionsActive;
    private long _refusedNotRedirected;
    private long _detectionTimeouts;
    private long _requestsTotal;
    private readonly long[] _responsesByClass = new long[6];
    private long _tlsHandshakes;
    private long _plaintextRefused;
    private long _rbacAllowed;
    private long _rbacDenied;

    public long ConnectionsTotal => Interlocked.Read(ref _connectionsTotal);

    public long ConnectionsActive => Interlocked.Read(ref _connectionsActive);

    /// <summary>Capture-listener connections refused because iptables had not redirected them.</summary>
    public long RefusedNotRedirected => Interlocked.Read(ref _refusedNotRedirected);

    public long DetectionTimeouts => Interlocked.Read(ref _detectionTimeouts);

    public long RequestsTotal => Interlocked.Read(ref _requestsTotal);

    public long ResponsesOfClass(int statusClass) => Interlocked.Read(ref _responsesByClass[statusClass]);

    /// <summary>mTLS handshakes completed (Envoy's listener ssl.handshake).</summary>
    public long TlsHandshakes => Interlocked.Read(ref _tlsHandshakes);

    /// <summary>Failed mTLS handshakes by reason (a peer SVID failure label, or handshake_error).</summary>
    public ReasonCounters TlsFailures { get; } = new();

    /// <summary>Plaintext connections refused by a STRICT mTLS listener or filter chain.</summary>
    public long PlaintextRefused => Interlocked.Read(ref _plaintextRefused);

    /// <summary>Inbound requests and connections allowed or denied by authorization policies (Envoy's rbac.allowed/denied).</summary>
    public long RbacAllowedCount => Interlocked.Read(ref _rbacAllowed);

    public long RbacDeniedCount => Interlocked.Read(ref _rbacDenied);

    public void TlsHandshakeCompleted() => Interlocked.Increment(ref _tlsHandshakes);

    public void PlaintextWasRefused() => Interlocked.Increment(ref _plaintextRefused);

    public void RbacAllowed() => Interlocked.Increment(ref _rbacAllowed);

    public void RbacDenied() => Interlocked.Increment(ref _rbacDenied);

    public void ConnectionOpened()
    {
        Interlocked.Increment(ref _connectionsTotal);
        Interlocked.Increment(ref _connectionsActive);
    }

    public void ConnectionClosed() => Interlocked.Decrement(ref _connectionsActive);

    public void RefusedConnection() => Interlocked.Increment(ref _refusedNotRedirected);

    public void DetectionTimedOut() => Interlocked.Increment(ref _detectionTimeouts);

    public void RequestCompleted(int statusCode)
    {
        Interlocked.Increment(ref _requestsTotal);
        var statusClass = statusCode / 100;
        if (statusClass is >= 1 and <= 5)
        {
            Interlocked.Increment(ref _responsesByClass[statusClass]);
        }
    }
}

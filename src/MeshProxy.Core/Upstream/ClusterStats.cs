using MeshProxy.Health;
using MeshProxy.Resilience;
using MeshProxy.Telemetry;

namespace MeshProxy.Upstream;

/// <summary>Envoy-style counters for one cluster (cluster.&lt;name&gt;.upstream_*). Thread-safe.</summary>
public sealed class ClusterStats
{
    private long _requestsTotal;
    private long _requestsActive;
    private readonly long[] _responsesByClass = new long[6];
    private long _connectionsTotal;
    private long _connectionsActive;
    private long _connectFailures;
    private long _tlsHandshakes;

    /// <summary>health_check.* (active health checking); exported once the cluster has a health checker.</summary>
    public HealthCheckStats HealthCheck { get; } = new();

    /// <summary>outlier_detection.* (passive health checking); exported once the cluster has outlier detection.</summary>
    public OutlierDetectionStats OutlierDetection { get; } = new();

    public long RequestsTotal => Interlocked.Read(ref _requestsTotal);

    public long RequestsActive => Interlocked.Read(ref _requestsActive);

    public long ConnectionsTotal => Interlocked.Read(ref _connectionsTotal);

    public long ConnectionsActive => Interlocked.Read(ref _connectionsActive);

    public long ConnectFailures => Interlocked.Read(ref _connectFailures);

    /// <summary>mTLS handshakes completed with the cluster's endpoints (Envoy's cluster ssl.handshake).</summary>
    public long TlsHandshakes => Interlocked.Read(ref _tlsHandshakes);

    /// <summary>Failed mTLS handshakes by reason (a server SVID failure label, or handshake_error).</summary>
    public ReasonCounters TlsFailures { get; } = new();

    public void TlsHandshakeCompleted() => Interlocked.Increment(ref _tlsHandshakes);

    /// <summary>Retry, timeout and circuit-breaker counters.</summary>
    public ResilienceStats Resilience { get; } = new();

    /// <summary>upstream_rq_&lt;N&gt;xx for N in 1..5.</summary>
    public long ResponsesOfClass(int statusClass) => Interlocked.Read(ref _responsesByClass[statusClass]);

    public void RequestStarted()
    {
        Interlocked.Increment(ref _requestsTotal);
        Interlocked.Increment(ref _requestsActive);
    }

    /// <summary>An attempt that ended without its response reaching the client (failed, retried, or lost a hedge race).</summary>
    public void RequestAbandoned() => Interlocked.Decrement(ref _requestsActive);

    public void RequestFinished(int statusCode)
    {
        Interlocked.Decrement(ref _requestsActive);
        var statusClass = statusCode / 100;
        if (statusClass is >= 1 and <= 5)
        {
            Interlocked.Increment(ref _responsesByClass[statusClass]);
        }
    }

    public void ConnectionOpened()
    {
        Interlocked.Increment(ref _connectionsTotal);
        Interlocked.Increment(ref _connectionsActive);
    }

    public void ConnectionClosed() => Interlocked.Decrement(ref _connectionsActive);

    public void ConnectFailed() => Interlocked.Increment(ref _connectFailures);
}

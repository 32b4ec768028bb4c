namespace MeshProxy.Resilience;

/// <summary>
/// A cluster's retry, timeout and circuit-breaker counters, under Envoy's names (cluster.&lt;name&gt;.upstream_rq_retry,
/// ...). Part of the cluster's stats, so they survive reloads. Thread-safe.
/// </summary>
public sealed class ResilienceStats
{
    private long _retries;
    private long _retrySuccesses;
    private long _retryLimitExceeded;
    private long _retryOverflows;
    private long _retryAbandoned;
    private long _perTryTimeouts;
    private long _requestTimeouts;
    private long _hedges;
    private long _requestOverflows;
    private long _connectionOverflows;
    private long _maxDurationReached;

    /// <summary>upstream_rq_retry: retries and hedges started.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>upstream_rq_retry_success: requests that succeeded after a retry.</summary>
    public long RetrySuccesses => Interlocked.Read(ref _retrySuccesses);

    /// <summary>upstream_rq_retry_limit_exceeded: a retry was wanted but numRetries was used up (flag URX).</summary>
    public long RetryLimitExceeded => Interlocked.Read(ref _retryLimitExceeded);

    /// <summary>upstream_rq_retry_overflow: a retry was wanted but maxRetries or the budget was full (flag UO).</summary>
    public long RetryOverflows => Interlocked.Read(ref _retryOverflows);

    /// <summary>upstream_rq_retry_backoff_exponential: retries that waited a back-off, which every retry does.</summary>
    public long RetryBackoffs => Retries;

    /// <summary>retry_or_shadow_abandoned: a retry was wanted but the request body was over the buffer limit.</summary>
    public long RetryAbandoned => Interlocked.Read(ref _retryAbandoned);

    /// <summary>upstream_rq_per_try_timeout: attempts that reached their per-try timeout (not counted when hedging, as in Envoy).</summary>
    public long PerTryTimeouts => Interlocked.Read(ref _perTryTimeouts);

    /// <summary>upstream_rq_timeout: requests that reached the route timeout.</summary>
    public long RequestTimeouts => Interlocked.Read(ref _requestTimeouts);

    /// <summary>upstream_rq_hedge (meshproxy): attempts started as hedges, while an earlier attempt was still running.</summary>
    public long Hedges => Interlocked.Read(ref _hedges);

    /// <summary>upstream_rq_pending_overflow: requests refused by maxRequests or maxPendingRequests (flag UO).</summary>
    public long RequestOverflows => Interlocked.Read(ref _requestOverflows);

    /// <summary>upstream_cx_overflow: connections over maxConnections (refused, or let through for an endpoint without one).</summary>
    public long ConnectionOverflows => Interlocked.Read(ref _connectionOverflows);

    /// <summary>upstream_rq_max_duration_reached: requests ended by maxStreamDuration (flag UMSDR).</summary>
    public long MaxDurationReached => Interlocked.Read(ref _maxDurationReached);

    public void Retried() => Interlocked.Increment(ref _retries);

    public void RetrySucceeded() => Interlocked.Increment(ref _retrySuccesses);

    public void RetryLimitWasExceeded() => Interlocked.Increment(ref _retryLimitExceeded);

    public void RetryOverflowed() => Interlocked.Increment(ref _retryOverflows);

    public void RetryWasAbandoned() => Interlocked.Increment(ref _retryAbandoned);

    public void PerTryTimedOut() => Interlocked.Increment(ref _perTryTimeouts);

    public void RequestTimedOut() => Interlocked.Increment(ref _requestTimeouts);

    public void Hedged() => Interlocked.Increment(ref _hedges);

    public void RequestOverflowed() => Interlocked.Increment(ref _requestOverflows);

    public void ConnectionOverflowed() => Interlocked.Increment(ref _connectionOverflows);

    public void MaxDurationWasReached() => Interlocked.Increment(ref _maxDurationReached);
}

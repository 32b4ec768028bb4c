namespace MeshProxy.Health;

/// <summary>
/// Envoy's health-check stats for one cluster (cluster.&lt;name&gt;.health_check.*). Thread-safe. They live in the
/// cluster's <see cref="Upstream.ClusterStats"/>, so they survive reloads, and are exported once a checker has run.
/// </summary>
public sealed class HealthCheckStats
{
    private long _attempts;
    private long _successes;
    private long _failures;
    private long _networkFailures;
    private long _healthy;
    private long _degraded;
    private volatile bool _enabled;

    /// <summary>Whether the cluster has (or had) an active health checker, so the stats mean something.</summary>
    public bool IsEnabled => _enabled;

    /// <summary>health_check.attempt: checks started.</summary>
    public long Attempts => Interlocked.Read(ref _attempts);

    /// <summary>health_check.success: checks that passed (degraded ones too).</summary>
    public long Successes => Interlocked.Read(ref _successes);

    /// <summary>health_check.failure: checks that failed, for any reason.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>health_check.network_failure: failures without an answer (connect failure, reset, timeout).</summary>
    public long NetworkFailures => Interlocked.Read(ref _networkFailures);

    /// <summary>health_check.healthy (gauge): endpoints not failing their checks.</summary>
    public long Healthy => Interlocked.Read(ref _healthy);

    /// <summary>health_check.degraded (gauge): endpoints answering with x-envoy-degraded.</summary>
    public long Degraded => Interlocked.Read(ref _degraded);

    internal void Enable() => _enabled = true;

    internal void Attempted() => Interlocked.Increment(ref _attempts);

    internal void Succeeded() => Interlocked.Increment(ref _successes);

    internal void Failed(bool network)
    {
        Interlocked.Increment(ref _failures);
        if (network)
        {
            Interlocked.Increment(ref _networkFailures);
        }
    }

    internal void SetGauges(long healthy, long degraded)
    {
        Interlocked.Exchange(ref _healthy, healthy);
        Interlocked.Exchange(ref _degraded, degraded);
    }
}

namespace MeshProxy.Health;

/// <summary>How one active health check ended, in the classes Envoy's checker tells apart.</summary>
public enum HealthProbeResult
{
    /// <summary>Passed.</summary>
    Healthy,

    /// <summary>Passed, but the endpoint asked to be degraded (x-envoy-degraded).</summary>
    Degraded,

    /// <summary>
    /// The endpoint answered, and the answer is a failure (an unexpected HTTP status). Envoy's ACTIVE failure:
    /// it marks the endpoint unhealthy at once, without waiting for the unhealthy threshold.
    /// </summary>
    Failed,

    /// <summary>No usable answer: refused, reset, closed. Envoy's NETWORK failure: counts toward the unhealthy threshold.</summary>
    NetworkFailure,

    /// <summary>No answer within the timeout. Envoy's NETWORK_TIMEOUT: counts toward the unhealthy threshold.</summary>
    Timeout,
}

namespace MeshProxy.LoadBalancing;

/// <summary>
/// The health an endpoint was given by its source (config, EDS health_status, the topology file), before active
/// health checking and outlier detection add their own flags. Load balancing reads the combined
/// <see cref="Upstream.EndpointState.CoarseHealth"/>.
/// </summary>
public enum EndpointHealth
{
    /// <summary>Takes traffic.</summary>
    Healthy,

    /// <summary>Takes traffic only once the healthy hosts of every priority are exhausted (x-envoy-degraded).</summary>
    Degraded,

    /// <summary>Takes no traffic unless its priority is in panic.</summary>
    Unhealthy,

    /// <summary>Being removed; treated as unhealthy, as Envoy treats EDS DRAINING.</summary>
    Draining,
}

namespace MeshProxy.LoadBalancing;

/// <summary>Envoy's zone-aware routing states for priority 0.</summary>
internal enum LocalityRoutingState
{
    /// <summary>No zone-aware routing: a gate failed, or the mode is off.</summary>
    NoLocalityRouting,

    /// <summary>The local zone has at least its share of capacity: every request stays local.</summary>
    LocalityDirect,

    /// <summary>Part stays local; the rest goes to zones with residual capacity.</summary>
    LocalityResidual,
}

namespace MeshProxy.LoadBalancing;

/// <summary>
/// Envoy's load-balancing counters for one cluster (cluster.&lt;name&gt;.lb_*), each counting one decision.
/// Thread-safe; read them for /stats.
/// </summary>
public sealed class LoadBalancerStats
{
    private long _healthyPanic;
    private long _zoneRoutingAllDirectly;
    private long _zoneRoutingSampled;
    private long _zoneRoutingCrossZone;
    private long _zoneClusterTooSmall;
    private long _localClusterNotOk;
    private long _zoneNoCapacityLeft;
    private long _recalculateZoneStructures;

    /// <summary>lb_healthy_panic: picks made from all hosts of a priority in panic (or refused, with failTrafficOnPanic).</summary>
    public long HealthyPanic => Interlocked.Read(ref _healthyPanic);

    /// <summary>lb_zone_routing_all_directly: zone-aware picks sent to the local zone because it has enough capacity.</summary>
    public long ZoneRoutingAllDirectly => Interlocked.Read(ref _zoneRoutingAllDirectly);

    /// <summary>lb_zone_routing_sampled: zone-aware picks that the local zone's share of capacity kept local.</summary>
    public long ZoneRoutingSampled => Interlocked.Read(ref _zoneRoutingSampled);

    /// <summary>lb_zone_routing_cross_zone: zone-aware picks sent to another zone's residual capacity.</summary>
    public long ZoneRoutingCrossZone => Interlocked.Read(ref _zoneRoutingCrossZone);

    /// <summary>lb_zone_cluster_too_small: recomputations that skipped zone routing for too few healthy hosts.</summary>
    public long ZoneClusterTooSmall => Interlocked.Read(ref _zoneClusterTooSmall);

    /// <summary>lb_local_cluster_not_ok: the local cluster has no hosts in this proxy's zone, or is in panic.</summary>
    public long LocalClusterNotOk => Interlocked.Read(ref _localClusterNotOk);

    /// <summary>lb_zone_no_capacity_left: cross-zone picks that found no residual capacity and chose a zone at random.</summary>
    public long ZoneNoCapacityLeft => Interlocked.Read(ref _zoneNoCapacityLeft);

    /// <summary>lb_recalculate_zone_structures: zone-routing recomputations.</summary>
    public long RecalculateZoneStructures => Interlocked.Read(ref _recalculateZoneStructures);

    internal void OnHealthyPanic() => Interlocked.Increment(ref _healthyPanic);

    internal void OnZoneRoutingAllDirectly() => Interlocked.Increment(ref _zoneRoutingAllDirectly);

    internal void OnZoneRoutingSampled() => Interlocked.Increment(ref _zoneRoutingSampled);

    internal void OnZoneRoutingCrossZone() => Interlocked.Increment(ref _zoneRoutingCrossZone);

    internal void OnZoneClusterTooSmall() => Interlocked.Increment(ref _zoneClusterTooSmall);

    internal void OnLocalClusterNotOk() => Interlocked.Increment(ref _localClusterNotOk);

    internal void OnZoneNoCapacityLeft() => Interlocked.Increment(ref _zoneNoCapacityLeft);

    internal void OnRecalculateZoneStructures() => Interlocked.Increment(ref _recalculateZoneStructures);
}

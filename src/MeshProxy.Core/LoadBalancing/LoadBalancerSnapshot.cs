using MeshProxy.Upstream;

namespace MeshProxy.LoadBalancing;

/// <summary>
/// Everything a pick needs, computed once per host or health change and then only read: priority levels, their
/// loads and panic flags, and the pickers. Picks on a snapshot are thread-safe; a refresh swaps in a new one.
/// </summary>
internal abstract class LoadBalancerSnapshot
{
    protected LoadBalancerSnapshot(PrioritySet hosts, PriorityLoads loads, LoadBalancerStats stats, int localClusterVersion)
    {
        Hosts = hosts;
        Loads = loads;
        Stats = stats;
        LocalClusterVersion = localClusterVersion;
    }

    public PrioritySet Hosts { get; }

    public PriorityLoads Loads { get; }

    protected LoadBalancerStats Stats { get; }

    /// <summary>The local cluster's version this snapshot was built from; a newer one makes the balancer rebuild.</summary>
    public int LocalClusterVersion { get; }

    /// <summary>Picks a host, trying again while the context rejects it, up to its retry count; the last pick stands.</summary>
    public abstract EndpointState? Pick(in LoadBalancerContext context);

    /// <summary>The exact long-run share of requests each endpoint gets, following the same branches as <see cref="Pick"/>.</summary>
    public abstract void AccumulateShares(TrafficShareAccumulator shares);
}

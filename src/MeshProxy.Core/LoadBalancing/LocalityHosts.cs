using MeshProxy.Configuration;
using MeshProxy.Upstream;

namespace MeshProxy.LoadBalancing;

/// <summary>The hosts of one locality within one priority, partitioned by health when the snapshot was built.</summary>
internal sealed class LocalityHosts
{
    public LocalityHosts(LocalityConfig locality, int weight, EndpointState[] hosts, EndpointState[] healthy, EndpointState[] degraded, int excludedCount)
    {
        Locality = locality;
        Weight = weight;
        Hosts = hosts;
        Healthy = healthy;
        Degraded = degraded;
        ExcludedCount = excludedCount;
    }

    public LocalityConfig Locality { get; }

    /// <summary>The locality's load-balancing weight: the sum of its endpoints' weights, or what distribute made of it.</summary>
    public int Weight { get; }

    public EndpointState[] Hosts { get; }

    public EndpointState[] Healthy { get; }

    public EndpointState[] Degraded { get; }

    public int ExcludedCount { get; }
}

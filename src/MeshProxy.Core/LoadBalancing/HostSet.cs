using MeshProxy.Upstream;

namespace MeshProxy.LoadBalancing;

/// <summary>
/// The hosts of one priority level (Envoy's HostSet), frozen with the health they had when the snapshot was built.
/// Localities are ordered as Envoy orders them: this proxy's own locality first when it has hosts here
/// (<see cref="HasLocalLocality"/>), then the others by region, zone and subzone.
/// </summary>
internal sealed class HostSet
{
    public HostSet(int priority, EndpointState[] hosts, EndpointState[] healthy, EndpointState[] degraded, EndpointState[] excluded, LocalityHosts[] localities, bool hasLocalLocality)
    {
        Priority = priority;
        Hosts = hosts;
        Healthy = healthy;
        Degraded = degraded;
        Excluded = excluded;
        Localities = localities;
        HasLocalLocality = hasLocalLocality;
    }

    public int Priority { get; }

    /// <summary>Every host, excluded ones included (a priority in panic picks from these).</summary>
    public EndpointState[] Hosts { get; }

    public EndpointState[] Healthy { get; }

    public EndpointState[] Degraded { get; }

    public EndpointState[] Excluded { get; }

    public LocalityHosts[] Localities { get; }

    public bool HasLocalLocality { get; }

    /// <summary>Hosts that count for health: all but the excluded.</summary>
    public int CountedHosts => Hosts.Length - Excluded.Length;
}

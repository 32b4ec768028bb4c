using MeshProxy.Configuration;

namespace MeshProxy.LoadBalancing;

/// <summary>
/// A what-if topology for <c>meshproxy simulate</c>: where the client runs, the zone spread of its own service's
/// proxies, and clusters with endpoints of chosen health (examples/topologies/README.md has the format).
/// </summary>
public sealed record Topology(LocalityConfig ClientLocality, IReadOnlyList<Topology.Host>? Peers, IReadOnlyList<Topology.Cluster> Clusters)
{
    /// <summary>One upstream cluster: its policy, its loadBalancer section (as in a config file) and its hosts.</summary>
    public sealed record Cluster(string Name, string LbPolicy, LoadBalancerConfig LoadBalancer, IReadOnlyList<Host> Hosts);

    /// <summary>One host with the health the simulation gives it.</summary>
    public sealed record Host(EndpointConfig Endpoint, EndpointHealth Health, bool Excluded);
}

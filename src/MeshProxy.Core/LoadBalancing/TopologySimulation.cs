using MeshProxy.Upstream;

namespace MeshProxy.LoadBalancing;

/// <summary>
/// The core of <c>meshproxy simulate</c>: builds each topology cluster's real <see cref="ClusterLoadBalancer"/>
/// (endpoints with the given health, the client's locality, its peers as the local cluster) and asks it for its
/// exact traffic shares.
/// </summary>
public static class TopologySimulation
{
    public static IReadOnlyList<(string Cluster, TrafficReport Report)> Run(Topology topology)
    {
        ClusterLoadBalancer? peers = null;
        if (topology.Peers is { } peerHosts)
        {
            peers = new ClusterLoadBalancer(ToEndpoints(peerHosts), LoadBalancingPolicies.RoundRobin, Configuration.LoadBalancerConfig.Default, seed: 0);
        }
        var reports = new List<(string, TrafficReport)>();
        foreach (var cluster in topology.Clusters)
        {
            var balancer = new ClusterLoadBalancer(ToEndpoints(cluster.Hosts), cluster.LbPolicy, cluster.LoadBalancer, seed: 0);
            balancer.SetLocality(topology.ClientLocality, peers);
            reports.Add((cluster.Name, balancer.DescribeTraffic()));
        }
        return reports;
    }

    private static EndpointState[] ToEndpoints(IReadOnlyList<Topology.Host> hosts) =>
        hosts.Select(h => new EndpointState(h.Endpoint, h.Health) { Excluded = h.Excluded }).ToArray();
}

using MeshProxy.Configuration;
using MeshProxy.Upstream;

namespace MeshProxy.LoadBalancing;

/// <summary>
/// The zone spread of this proxy's own service (Envoy's local cluster), read from the endpoints of
/// node.localCluster: hosts and healthy hosts per locality, this proxy's locality first. Envoy's local cluster has
/// one priority; here every endpoint counts whatever its priority.
/// </summary>
internal sealed class LocalClusterView
{
    private LocalClusterView(LocalityConfig[] localities, int[] hosts, int[] healthy, bool hasLocalLocality, int countedHosts, int healthyHosts, int degradedHosts)
    {
        Localities = localities;
        HostsPerLocality = hosts;
        HealthyPerLocality = healthy;
        HasLocalLocality = hasLocalLocality;
        CountedHosts = countedHosts;
        HealthyHosts = healthyHosts;
        DegradedHosts = degradedHosts;
    }

    public LocalityConfig[] Localities { get; }

    public int[] HostsPerLocality { get; }

    public int[] HealthyPerLocality { get; }

    /// <summary>Whether this proxy's own locality has local-cluster hosts (it is then index 0).</summary>
    public bool HasLocalLocality { get; }

    /// <summary>Hosts minus excluded ones, for the local cluster's panic check.</summary>
    public int CountedHosts { get; }

    public int HealthyHosts { get; }

    public int DegradedHosts { get; }

    public static LocalClusterView Build(IReadOnlyList<EndpointState> endpoints, LocalityConfig client)
    {
        var hosts = new Dictionary<LocalityConfig, int>();
        var healthy = new Dictionary<LocalityConfig, int>();
        int counted = 0, healthyTotal = 0, degradedTotal = 0;
        foreach (var endpoint in endpoints)
        {
            hosts[endpoint.Locality] = hosts.GetValueOrDefault(endpoint.Locality) + 1;
            healthy.TryAdd(endpoint.Locality, 0);
            if (endpoint.Excluded)
            {
                continue;
            }
            counted++;
            switch (endpoint.CoarseHealth)
            {
                case EndpointHealth.Healthy:
                    healthy[endpoint.Locality]++;
                    healthyTotal++;
                    break;
                case EndpointHealth.Degraded:
                    degradedTotal++;
                    break;
            }
        }
        var hasLocal = client != LocalityConfig.None && hosts.ContainsKey(client);
        var localities = hosts.Keys.ToList();
        localities.Sort((a, b) => PrioritySetBuilder.CompareLocalities(a, b, hasLocal ? client : null));
        return new LocalClusterView(
            localities.ToArray(),
            localities.Select(l => hosts[l]).ToArray(),
            localities.Select(l => healthy[l]).ToArray(),
            hasLocal,
            counted,
            healthyTotal,
            degradedTotal);
    }
}

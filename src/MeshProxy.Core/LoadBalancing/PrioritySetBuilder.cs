using MeshProxy.Configuration;
using MeshProxy.Upstream;

namespace MeshProxy.LoadBalancing;

/// <summary>
/// Freezes a cluster's endpoints into priority levels and localities: assigns priorities (configured, or derived from
/// this proxy's locality), applies Istio's distribute to locality weights, reads each endpoint's health once, and
/// orders localities as Envoy's PriorityStateManager does (own locality first, then by region, zone, subzone).
/// </summary>
internal static class PrioritySetBuilder
{
    public static PrioritySet Build(IReadOnlyList<EndpointState> endpoints, LoadBalancerConfig config, LocalityConfig client)
    {
        var priorities = config.LocalityPriorities is { Enabled: true } derived
            ? LocalityPriorityAssigner.Assign(endpoints, client, derived.FailoverPriority)
            : endpoints.Select(e => e.Priority).ToArray();

        // A group is Envoy's LocalityLbEndpoints: the endpoints of one locality within one priority.
        var groups = new Dictionary<(int Priority, LocalityConfig Locality), int>();
        var groupMembers = new List<List<int>>();
        var groupLocalities = new List<LocalityConfig>();
        var groupWeights = new List<int>();
        var levels = 1;
        for (var i = 0; i < endpoints.Count; i++)
        {
            var key = (priorities[i], endpoints[i].Locality);
            if (!groups.TryGetValue(key, out var group))
            {
                group = groups.Count;
                groups.Add(key, group);
                groupMembers.Add([]);
                groupLocalities.Add(key.Locality);
                groupWeights.Add(0);
            }
            groupMembers[group].Add(i);
            groupWeights[group] += endpoints[i].Weight;
            levels = Math.Max(levels, priorities[i] + 1);
        }
        var weights = groupWeights.ToArray();
        var distributed = !config.Distribute.IsEmpty && LocalityDistributor.Apply(config.Distribute, client, groupLocalities, weights);

        // Health is read once per endpoint, so a concurrent change cannot make the lists disagree.
        var health = new EndpointHealth[endpoints.Count];
        for (var i = 0; i < endpoints.Count; i++)
        {
            health[i] = endpoints[i].Excluded ? Excluded : endpoints[i].CoarseHealth;
        }

        var groupsByPriority = new List<int>[levels];
        for (var p = 0; p < levels; p++)
        {
            groupsByPriority[p] = [];
        }
        foreach (var ((priority, _), group) in groups)
        {
            if (!distributed || weights[group] > 0)
            {
                groupsByPriority[priority].Add(group);
            }
        }

        var sets = new HostSet[levels];
        for (var p = 0; p < levels; p++)
        {
            var localities = new LocalityHosts[groupsByPriority[p].Count];
            var members = new List<int>();
            for (var l = 0; l < localities.Length; l++)
            {
                var group = groupsByPriority[p][l];
                var (hosts, healthy, degraded, excluded) = Partition(groupMembers[group], endpoints, health);
                localities[l] = new LocalityHosts(groupLocalities[group], weights[group], hosts, healthy, degraded, excluded.Length);
                members.AddRange(groupMembers[group]);
            }
            var hasLocal = client != LocalityConfig.None && localities.Any(l => l.Locality == client);
            Array.Sort(localities, (a, b) => CompareLocalities(a.Locality, b.Locality, hasLocal ? client : null));
            // The priority's flat lists keep the endpoints' configured order.
            members.Sort();
            var (all, allHealthy, allDegraded, allExcluded) = Partition(members, endpoints, health);
            sets[p] = new HostSet(p, all, allHealthy, allDegraded, allExcluded, localities, hasLocal);
        }
        return new PrioritySet(sets);
    }

    /// <summary>Marks an excluded host in the health snapshot: neither healthy, degraded nor unhealthy for balancing.</summary>
    private const EndpointHealth Excluded = (EndpointHealth)(-1);

    /// <summary>Splits endpoint indexes, in order, into all hosts and the healthy, degraded and excluded ones.</summary>
    private static (EndpointState[] Hosts, EndpointState[] Healthy, EndpointState[] Degraded, EndpointState[] Excluded) Partition(
        List<int> members, IReadOnlyList<EndpointState> endpoints, EndpointHealth[] health)
    {
        var hosts = new EndpointState[members.Count];
        var healthy = new List<EndpointState>(members.Count);
        var degraded = new List<EndpointState>();
        var excluded = new List<EndpointState>();
        for (var m = 0; m < members.Count; m++)
        {
            var i = members[m];
            hosts[m] = endpoints[i];
            var list = health[i] switch
            {
                EndpointHealth.Healthy => healthy,
                EndpointHealth.Degraded => degraded,
                Excluded => excluded,
                _ => null,
            };
            list?.Add(endpoints[i]);
        }
        return (hosts, healthy.ToArray(), degraded.ToArray(), excluded.ToArray());
    }

    /// <summary>Envoy's order: the local locality first, then LocalityLess (region, zone, subzone, ordinal).</summary>
    internal static int CompareLocalities(LocalityConfig a, LocalityConfig b, LocalityConfig? local)
    {
        if (local is not null && a != b && (a == local || b == local))
        {
            return a == local ? -1 : 1;
        }
        var byRegion = string.CompareOrdinal(a.Region, b.Region);
        if (byRegion != 0)
        {
            return byRegion;
        }
        var byZone = string.CompareOrdinal(a.Zone, b.Zone);
        return byZone != 0 ? byZone : string.CompareOrdinal(a.Subzone, b.Subzone);
    }
}

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
        var groupOf = new int[endpoints.Count];
        var groups = new Dictionary<(int Priority, LocalityConfig Locality), int>();
        var groupLocalities = new List<LocalityConfig>();
        var groupWeights = new List<int>();
        for (var i = 0; i < endpoints.Count; i++)
        {
            var key = (priorities[i], endpoints[i].Locality);
            if (!groups.TryGetValue(key, out var group))
            {
                group = groups.Count;
                groups.Add(key, group);
                groupLocalities.Add(key.Locality);
                groupWeights.Add(0);
            }
            groupOf[i] = group;
            groupWeights[group] += endpoints[i].Weight;
        }
        var weights = groupWeights.ToArray();
        var distributed = !config.Distribute.IsEmpty && LocalityDistributor.Apply(config.Distribute, client, groupLocalities, weights);

        var health = new EndpointHealth[endpoints.Count];
        var excluded = new bool[endpoints.Count];
        for (var i = 0; i < endpoints.Count; i++)
        {
            excluded[i] = endpoints[i].Excluded;
            health[i] = endpoints[i].CoarseHealth;
        }

        var levels = priorities.Length == 0 ? 1 : priorities.Max() + 1;
        var sets = new HostSet[levels];
        for (var p = 0; p < levels; p++)
        {
            var members = Enumerable.Range(0, endpoints.Count)
                .Where(i => priorities[i] == p && (!distributed || weights[groupOf[i]] > 0))
                .ToArray();
            sets[p] = BuildHostSet(p, members, endpoints, health, excluded, groupOf, weights, client);
        }
        return new PrioritySet(sets);
    }

    private static HostSet BuildHostSet(int priority, int[] members, IReadOnlyList<EndpointState> endpoints, EndpointHealth[] health, bool[] excluded,
        int[] groupOf, int[] weights, LocalityConfig client)
    {
        var localities = members
            .GroupBy(i => groupOf[i])
            .Select(g => BuildLocality(g.ToArray(), endpoints, health, excluded, weights[g.Key]))
            .ToList();
        var hasLocal = client != LocalityConfig.None && localities.Any(l => l.Locality == client);
        localities.Sort((a, b) => CompareLocalities(a.Locality, b.Locality, hasLocal ? client : null));
        return new HostSet(
            priority,
            members.Select(i => endpoints[i]).ToArray(),
            members.Where(i => !excluded[i] && health[i] == EndpointHealth.Healthy).Select(i => endpoints[i]).ToArray(),
            members.Where(i => !excluded[i] && health[i] == EndpointHealth.Degraded).Select(i => endpoints[i]).ToArray(),
            members.Where(i => excluded[i]).Select(i => endpoints[i]).ToArray(),
            localities.ToArray(),
            hasLocal);
    }

    private static LocalityHosts BuildLocality(int[] members, IReadOnlyList<EndpointState> endpoints, EndpointHealth[] health, bool[] excluded, int weight) =>
        new(endpoints[members[0]].Locality,
            weight,
            members.Select(i => endpoints[i]).ToArray(),
            members.Where(i => !excluded[i] && health[i] == EndpointHealth.Healthy).Select(i => endpoints[i]).ToArray(),
            members.Where(i => !excluded[i] && health[i] == EndpointHealth.Degraded).Select(i => endpoints[i]).ToArray(),
            members.Count(i => excluded[i]));

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

using MeshProxy.Configuration;
using MeshProxy.Upstream;

namespace MeshProxy.LoadBalancing;

/// <summary>Builds a cluster's <see cref="LoadBalancerSnapshot"/> from its endpoints as they are now.</summary>
internal static class LoadBalancerSnapshotBuilder
{
    /// <param name="local">The local cluster's zone spread, for zone-aware routing; null without one.</param>
    public static LoadBalancerSnapshot Build(IReadOnlyList<EndpointState> endpoints, string policy, LoadBalancerConfig config, LocalityConfig client,
        LocalClusterView? local, int localClusterVersion, ulong seed, LoadBalancerStats stats)
    {
        var hosts = PrioritySetBuilder.Build(endpoints, config, client);
        var loads = PriorityLoadCalculator.Compute(hosts, config.OverprovisioningFactor, config.PanicThreshold, config.WeightedPriorityHealth);
        var localityWeighted = config.LocalityLb == LocalityLbMode.LocalityWeighted;

        if (LoadBalancingPolicies.IsHashing(policy))
        {
            var rings = new HostSource[hosts.Count];
            for (var p = 0; p < rings.Length; p++)
            {
                var (members, weights) = HashingLoadBalancerSnapshot.Normalize(hosts[p], loads.Panic[p], localityWeighted);
                rings[p] = new HostSource(members, hashed => EndpointPickerFactory.Create(policy, new EndpointPickerInputs(hashed, weights, config, seed)));
            }
            return new HashingLoadBalancerSnapshot(hosts, loads, stats, rings);
        }

        var sources = new PrioritySources[hosts.Count];
        for (var p = 0; p < sources.Length; p++)
        {
            sources[p] = new PrioritySources(hosts[p], members => new HostSource(members, CreatePicker), localityWeighted, config.OverprovisioningFactor, seed);
        }
        var zoneRouting = ZoneRouting.Disabled;
        var localClusterInPanic = false;
        if (config.LocalityLb == LocalityLbMode.ZoneAware && local is not null)
        {
            zoneRouting = ZoneRouting.Plan(hosts[0], local, config.ZoneAware ?? ZoneAwareConfig.Default, stats);
            localClusterInPanic = PriorityLoadCalculator.IsInPanic(local.CountedHosts, local.HealthyHosts, local.DegradedHosts, config.PanicThreshold);
        }
        return new ZoneAwareLoadBalancerSnapshot(hosts, loads, stats, localClusterVersion, sources, zoneRouting, localClusterInPanic, config);

        IEndpointPicker CreatePicker(EndpointState[] members)
        {
            var weights = new double[members.Length];
            for (var i = 0; i < members.Length; i++)
            {
                weights[i] = members[i].Weight;
            }
            return EndpointPickerFactory.Create(policy, new EndpointPickerInputs(members, weights, config, seed));
        }
    }
}

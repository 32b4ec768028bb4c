using MeshProxy.LoadBalancing;

namespace MeshProxy.Configuration.Validation;

/// <summary>
/// Cross-field rules of each cluster's loadBalancer section and of node.localCluster: settings that only apply to
/// some policies or modes, what zone-aware and locality modes need from the node, and Istio's distribute rules.
/// </summary>
internal sealed class LoadBalancerValidator : IConfigValidator
{
    public void Validate(ProxyConfig config, ConfigDiagnostics diagnostics)
    {
        var node = config.Node;
        var localClusterKnown = node.LocalCluster is { } local && config.Clusters.Any(c => c.Name == local);
        if (node.LocalCluster is { } localName && !localClusterKnown)
        {
            diagnostics.Error("node.localCluster", $"no cluster is named '{localName}'");
        }
        var nodeHasLocality = node.Locality.Region.Length > 0;

        for (var c = 0; c < config.Clusters.Count; c++)
        {
            var cluster = config.Clusters[c];
            var path = $"clusters[{c}].loadBalancer";
            var lb = cluster.LoadBalancer;
            var hashing = LoadBalancingPolicies.IsHashing(cluster.LbPolicy);

            if (cluster.Type == ClusterType.OriginalDestination && lb != LoadBalancerConfig.Default)
            {
                diagnostics.Error(path, "an originalDestination cluster has no endpoints to balance; remove loadBalancer");
            }
            if (hashing && lb.Hash is null)
            {
                diagnostics.Error($"{path}.hash", $"lbPolicy {cluster.LbPolicy} needs a hash: a header, a cookie or sourceIp: true");
            }
            if (!hashing && lb.Hash is not null)
            {
                diagnostics.Error($"{path}.hash", $"only applies to lbPolicy {LoadBalancingPolicies.RingHash} or {LoadBalancingPolicies.Maglev}, not {cluster.LbPolicy}");
            }
            if (hashing && lb.FailTrafficOnPanic)
            {
                diagnostics.Error($"{path}.failTrafficOnPanic", $"has no effect with lbPolicy {cluster.LbPolicy}: Envoy's hashing balancers always use all hosts of a priority in panic");
            }
            RequirePolicy(lb.LeastRequest, LoadBalancingPolicies.LeastRequest, "leastRequest");
            RequirePolicy(lb.RingHash, LoadBalancingPolicies.RingHash, "ringHash");
            RequirePolicy(lb.Maglev, LoadBalancingPolicies.Maglev, "maglev");

            if (lb.ZoneAware is not null && lb.LocalityLb != LocalityLbMode.ZoneAware)
            {
                diagnostics.Error($"{path}.zoneAware", "only applies with localityLb: zoneAware");
            }
            if (lb.LocalityLb == LocalityLbMode.ZoneAware)
            {
                if (hashing)
                {
                    diagnostics.Error($"{path}.localityLb", $"zone-aware routing does not apply to lbPolicy {cluster.LbPolicy} (Envoy's hashing balancers ignore it); use localityWeighted or none");
                }
                if (node.LocalCluster is null)
                {
                    diagnostics.Error($"{path}.localityLb", "zoneAware needs node.localCluster: the cluster of this proxy's own service, whose zone spread it balances against");
                }
                RequireNodeLocality("localityLb", "zoneAware");
            }

            var priorities = lb.LocalityPriorities;
            if (priorities is { Enabled: false, FailoverPriority.IsEmpty: false })
            {
                diagnostics.Error($"{path}.localityPriorities.failoverPriority", "has no effect unless localityPriorities.enabled is true");
            }
            if (priorities is { Enabled: true })
            {
                RequireNodeLocality("localityPriorities", "derived locality priorities");
            }

            if (!lb.Distribute.IsEmpty)
            {
                if (lb.LocalityLb != LocalityLbMode.LocalityWeighted)
                {
                    diagnostics.Error($"{path}.distribute", "needs localityLb: localityWeighted (distribute sets locality weights)");
                }
                if (priorities is { Enabled: true })
                {
                    diagnostics.Error($"{path}.distribute", "cannot be combined with localityPriorities (Istio applies one or the other)");
                }
                RequireNodeLocality("distribute", "distribute");
                for (var d = 0; d < lb.Distribute.Count; d++)
                {
                    var total = lb.Distribute[d].To.Sum(pair => pair.Value);
                    if (total != 100 && !lb.Distribute[d].To.IsEmpty)
                    {
                        diagnostics.Error($"{path}.distribute[{d}].to", $"the percents add up to {total}, not 100");
                    }
                }
            }

            void RequirePolicy(object? section, string policy, string key)
            {
                if (section is not null && cluster.LbPolicy != policy)
                {
                    diagnostics.Error($"{path}.{key}", $"only applies to lbPolicy {policy}, not {cluster.LbPolicy}");
                }
            }

            void RequireNodeLocality(string key, string feature)
            {
                if (!nodeHasLocality)
                {
                    diagnostics.Error($"{path}.{key}", $"{feature} needs node.locality (at least a region) to compare endpoints with");
                }
            }
        }
    }
}

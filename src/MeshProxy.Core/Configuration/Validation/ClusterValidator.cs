using System.Net;
using MeshProxy.LoadBalancing;

namespace MeshProxy.Configuration.Validation;

/// <summary>Cluster names are unique, policies exist, and endpoints fit the cluster type.</summary>
internal sealed class ClusterValidator : IConfigValidator
{
    private static readonly IReadOnlyCollection<string> KnownPolicies = LoadBalancingPolicies.All;

    private static void RequireOnePerFamily(Utilities.EquatableArray<IPAddress> addresses, string path, ConfigDiagnostics diagnostics)
    {
        if (addresses.GroupBy(a => a.AddressFamily).Any(g => g.Count() > 1))
        {
            diagnostics.Error(path, "give at most one address per family (one IPv4, one IPv6)");
        }
    }

    public void Validate(ProxyConfig config, ConfigDiagnostics diagnostics)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var c = 0; c < config.Clusters.Count; c++)
        {
            var cluster = config.Clusters[c];
            var path = $"clusters[{c}]";
            if (cluster.Name.Length > 0 && !names.Add(cluster.Name))
            {
                diagnostics.Error($"{path}.name", $"cluster name '{cluster.Name}' is used twice");
            }
            if (!KnownPolicies.Contains(cluster.LbPolicy))
            {
                diagnostics.Error($"{path}.lbPolicy", $"'{cluster.LbPolicy}' is not a load-balancing policy; known: {string.Join(", ", KnownPolicies)}");
            }

            if (cluster.Type == ClusterType.OriginalDestination && !cluster.Endpoints.IsEmpty)
            {
                diagnostics.Error($"{path}.endpoints", "an originalDestination cluster takes its endpoint from each connection; remove the endpoints");
            }
            if (cluster.Type != ClusterType.OriginalDestination && !cluster.OriginalDestinationOverrides.IsEmpty)
            {
                diagnostics.Error($"{path}.originalDestinationOverride", "only applies to clusters of type originalDestination");
            }
            RequireOnePerFamily(cluster.SourceAddresses, $"{path}.sourceAddress", diagnostics);
            RequireOnePerFamily(cluster.OriginalDestinationOverrides, $"{path}.originalDestinationOverride", diagnostics);

            var seen = new HashSet<IPEndPoint>();
            for (var e = 0; e < cluster.Endpoints.Count; e++)
            {
                var address = cluster.Endpoints[e].Address;
                if (address.Port == 0)
                {
                    diagnostics.Error($"{path}.endpoints[{e}].address", "an endpoint needs a port other than 0");
                }
                else if (!seen.Add(address))
                {
                    diagnostics.Error($"{path}.endpoints[{e}].address", $"{address} is listed twice");
                }
            }
        }
    }
}

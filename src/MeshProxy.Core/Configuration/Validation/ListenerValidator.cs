using System.Net;

namespace MeshProxy.Configuration.Validation;

/// <summary>Listener names and addresses are unique, and what a listener refers to exists.</summary>
internal sealed class ListenerValidator : IConfigValidator
{
    public void Validate(ProxyConfig config, ConfigDiagnostics diagnostics)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var routeTables = config.RouteTables.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var clusters = config.Clusters.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var bound = new List<(IPEndPoint Address, string Owner)>();
        AddAdminAddress(config.Admin.Address, "admin.address");
        AddAdminAddress(config.Admin.ReadinessAddress, "admin.readinessAddress");
        AddAdminAddress(config.Admin.MetricsAddress, "admin.metricsAddress");

        for (var i = 0; i < config.Listeners.Count; i++)
        {
            var listener = config.Listeners[i];
            var path = $"listeners[{i}]";
            if (listener.Name.Length > 0 && !names.Add(listener.Name))
            {
                diagnostics.Error($"{path}.name", $"listener name '{listener.Name}' is used twice");
            }

            if (FindConflict(listener.Address) is { } owner)
            {
                diagnostics.Error($"{path}.address", $"{listener.Address} is already used by {owner}");
            }
            bound.Add((listener.Address, $"listener '{listener.Name}'"));

            if (listener.Http is { } http && !routeTables.Contains(http.RouteTable) && http.RouteTable.Length > 0)
            {
                diagnostics.Error($"{path}.http.routeTable", $"no route table is named '{http.RouteTable}'");
            }
            if (listener.Tcp is { } tcp && !clusters.Contains(tcp.Cluster) && tcp.Cluster.Length > 0)
            {
                diagnostics.Error($"{path}.tcp.cluster", $"no cluster is named '{tcp.Cluster}'");
            }
            if (listener.Protocol == ListenerProtocol.Http && listener.Http is null)
            {
                diagnostics.Error($"{path}.http", "is required when protocol is http");
            }
            if (listener.Protocol == ListenerProtocol.Tcp && listener.Tcp is null)
            {
                diagnostics.Error($"{path}.tcp", "is required when protocol is tcp");
            }
            if (listener.Http is null && listener.Tcp is null)
            {
                diagnostics.Error(path, "has neither http nor tcp, so it would close every connection");
            }
        }

        void AddAdminAddress(IPEndPoint? address, string owner)
        {
            if (address is not null)
            {
                bound.Add((address, owner));
            }
        }

        string? FindConflict(IPEndPoint address)
        {
            if (address.Port == 0)
            {
                return null;
            }
            foreach (var (other, owner) in bound)
            {
                var wildcard = IsWildcard(address.Address) || IsWildcard(other.Address);
                if (other.Port == address.Port && (wildcard || other.Address.Equals(address.Address)))
                {
                    return owner;
                }
            }
            return null;
        }

        static bool IsWildcard(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);
    }
}

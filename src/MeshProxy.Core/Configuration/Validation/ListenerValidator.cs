using System.Net;

namespace MeshProxy.Configuration.Validation;

/// <summary>
/// Listener names and addresses are unique, every way a listener handles connections (its default and each filter
/// chain) refers to things that exist, and filter chains are distinguishable.
/// </summary>
internal sealed class ListenerValidator : IConfigValidator
{
    public void Validate(ProxyConfig config, ConfigDiagnostics diagnostics)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var routeTables = config.RouteTables.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var clusters = config.Clusters.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var bound = new List<(IPEndPoint Address, string Owner)>();
        AddAdminAddress(bound, config.Admin.Address, "admin.address");
        AddAdminAddress(bound, config.Admin.ReadinessAddress, "admin.readinessAddress");
        AddAdminAddress(bound, config.Admin.MetricsAddress, "admin.metricsAddress");

        for (var i = 0; i < config.Listeners.Count; i++)
        {
            var listener = config.Listeners[i];
            var path = $"listeners[{i}]";
            if (listener.Name.Length > 0 && !names.Add(listener.Name))
            {
                diagnostics.Error($"{path}.name", $"listener name '{listener.Name}' is used twice");
            }
            if (FindConflict(bound, listener.Address) is { } owner)
            {
                diagnostics.Error($"{path}.address", $"{listener.Address} is already used by {owner}");
            }
            bound.Add((listener.Address, $"listener '{listener.Name}'"));

            ValidateHandling(listener.Http, listener.Tcp, path, routeTables, clusters, diagnostics);
            ValidateOutboundPolicy(listener, path, diagnostics);
            ValidateFilterChains(listener, path, routeTables, clusters, diagnostics);
        }
    }

    private static void ValidateHandling(HttpListenerConfig? http, TcpListenerConfig? tcp, string path,
        HashSet<string> routeTables, HashSet<string> clusters, ConfigDiagnostics diagnostics)
    {
        if (http is not null && http.RouteTable.Length > 0 && !routeTables.Contains(http.RouteTable))
        {
            diagnostics.Error($"{path}.http.routeTable", $"no route table is named '{http.RouteTable}'");
        }
        if (tcp is not null && tcp.Cluster.Length > 0 && !clusters.Contains(tcp.Cluster))
        {
            diagnostics.Error($"{path}.tcp.cluster", $"no cluster is named '{tcp.Cluster}'");
        }
    }

    private static void ValidateOutboundPolicy(ListenerConfig listener, string path, ConfigDiagnostics diagnostics)
    {
        if (listener.OutboundPolicy == OutboundPolicy.RegistryOnly)
        {
            if (listener.Capture != CaptureMode.Outbound)
            {
                diagnostics.Error($"{path}.outboundPolicy", "registryOnly applies to outbound capture listeners (capture: outbound)");
            }
            if (listener.Http is not null || listener.Tcp is not null)
            {
                diagnostics.Error($"{path}.outboundPolicy", "with registryOnly, traffic no filter chain matches is blocked, so the listener's own http and tcp would never be used; move them into a filter chain");
            }
            return;
        }
        if (listener.Http is null && listener.Tcp is null && listener.FilterChains.IsEmpty && listener.AutoPassthrough is null)
        {
            diagnostics.Error(path, "has neither http nor tcp, so it would close every connection");
        }
        if (listener.Protocol == ListenerProtocol.Http && listener.Http is null && listener.FilterChains.IsEmpty)
        {
            diagnostics.Error($"{path}.http", "is required when protocol is http");
        }
        if (listener.Protocol == ListenerProtocol.Tcp && listener.Tcp is null && listener.FilterChains.IsEmpty)
        {
            diagnostics.Error($"{path}.tcp", "is required when protocol is tcp");
        }
    }

    private static void ValidateFilterChains(ListenerConfig listener, string listenerPath, HashSet<string> routeTables, HashSet<string> clusters, ConfigDiagnostics diagnostics)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var matches = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var c = 0; c < listener.FilterChains.Count; c++)
        {
            var chain = listener.FilterChains[c];
            var path = $"{listenerPath}.filterChains[{c}]";
            if (chain.Name.Length > 0 && !names.Add(chain.Name))
            {
                diagnostics.Error($"{path}.name", $"filter chain name '{chain.Name}' is used twice in this listener");
            }
            if (chain.Http is null && chain.Tcp is null)
            {
                diagnostics.Error(path, "has neither http nor tcp, so it would close every connection it matches");
            }
            ValidateHandling(chain.Http, chain.Tcp, path, routeTables, clusters, diagnostics);

            // Envoy rejects two chains with the same match: which one applies would be arbitrary.
            var key = $"{chain.Match.DestinationPort}|{string.Join(',', chain.Match.DestinationAddresses.Select(n => n.ToString()).Order(StringComparer.Ordinal))}"
                + $"|{string.Join(',', chain.Match.ServerNames.Select(n => n.ToLowerInvariant()).Order(StringComparer.Ordinal))}|{string.Join(',', chain.Match.ApplicationProtocols)}";
            if (!matches.TryAdd(key, chain.Name))
            {
                diagnostics.Error($"{path}.match", $"matches exactly what filter chain '{matches[key]}' matches");
            }
        }
    }

    private static void AddAdminAddress(List<(IPEndPoint, string)> bound, IPEndPoint? address, string owner)
    {
        if (address is not null)
        {
            bound.Add((address, owner));
        }
    }

    /// <summary>
    /// Whether two listeners would fight over a port on Linux: "[::]" is dual-stack and takes the port for both
    /// families; "0.0.0.0" takes it for every IPv4 address; specific addresses only clash with themselves.
    /// </summary>
    private static string? FindConflict(List<(IPEndPoint Address, string Owner)> bound, IPEndPoint address)
    {
        if (address.Port == 0)
        {
            return null;
        }
        foreach (var (other, owner) in bound)
        {
            if (other.Port == address.Port && Overlap(address.Address, other.Address))
            {
                return owner;
            }
        }
        return null;
    }

    private static bool Overlap(IPAddress a, IPAddress b)
    {
        if (a.Equals(IPAddress.IPv6Any) || b.Equals(IPAddress.IPv6Any) || a.Equals(b))
        {
            return true;
        }
        if (a.AddressFamily != b.AddressFamily)
        {
            return false;
        }
        return a.Equals(IPAddress.Any) || b.Equals(IPAddress.Any);
    }

}

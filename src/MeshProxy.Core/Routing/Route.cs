using MeshProxy.Configuration;
using MeshProxy.Resilience;

namespace MeshProxy.Routing;

/// <summary>A compiled route: its matcher and how it picks a cluster.</summary>
public sealed class Route
{
    private readonly string? _cluster;
    private readonly WeightedClusterPicker? _split;

    public Route(RouteConfig config, VirtualHostConfig virtualHost)
    {
        Config = config;
        VirtualHostName = virtualHost.Name;
        Resilience = new RouteResilience(config, virtualHost);
        Matcher = new RouteMatcher(config.Match);
        _cluster = config.Cluster;
        _split = config.WeightedClusters.IsEmpty ? null : new WeightedClusterPicker(config.WeightedClusters);
    }

    public RouteConfig Config { get; }

    public string VirtualHostName { get; }

    /// <summary>Retries, hedging, timeouts and circuit-breaker priority, resolved with the virtual host's defaults.</summary>
    public RouteResilience Resilience { get; }

    /// <summary>The route's name, or its match when unnamed, for logs.</summary>
    public string DisplayName => Config.Name ?? (Config.Match.Path ?? Config.Match.Prefix ?? "/");

    public RouteMatcher Matcher { get; }

    /// <summary>The cluster for one request: the route's cluster, or one arm of its weighted split. Not for direct responses.</summary>
    public string PickCluster(Random random) => _cluster ?? _split?.Pick(random) ?? throw new InvalidOperationException($"Route '{DisplayName}' has no cluster.");
}

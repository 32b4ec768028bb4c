using MeshProxy.Utilities;

namespace MeshProxy.Configuration;

/// <summary>
/// The whole proxy configuration: the one internal model that the YAML file maps onto today and that
/// xDS resources (Listener, RouteConfiguration, Cluster, ClusterLoadAssignment) will map onto later.
/// Records compare by value, so a reload can tell what changed.
/// </summary>
public sealed record ProxyConfig
{
    /// <summary>Who this proxy is: its service, workload and locality.</summary>
    public NodeConfig Node { get; init; } = new();

    /// <summary>The admin, readiness and metrics servers, and the drain timeout.</summary>
    public AdminConfig Admin { get; init; } = new();

    /// <summary>Where connections are accepted (Envoy's Listener).</summary>
    public EquatableArray<ListenerConfig> Listeners { get; init; } = EquatableArray<ListenerConfig>.Empty;

    /// <summary>HTTP route tables (Envoy's RouteConfiguration), referenced by listeners by name.</summary>
    public EquatableArray<RouteTableConfig> RouteTables { get; init; } = EquatableArray<RouteTableConfig>.Empty;

    /// <summary>Upstream clusters and their endpoints (Envoy's Cluster and ClusterLoadAssignment).</summary>
    public EquatableArray<ClusterConfig> Clusters { get; init; } = EquatableArray<ClusterConfig>.Empty;

    /// <summary>Access logs and tracing.</summary>
    public TelemetryConfig Telemetry { get; init; } = new();

    /// <summary>This proxy's SPIFFE identity, for mTLS.</summary>
    public IdentityConfig Identity { get; init; } = new();

    /// <summary>Authorization policies for inbound traffic (Istio's AuthorizationPolicy).</summary>
    public EquatableArray<AuthorizationPolicyConfig> Authorization { get; init; } = EquatableArray<AuthorizationPolicyConfig>.Empty;
}

using System.Net;
using MeshProxy.Utilities;

namespace MeshProxy.Configuration;

/// <summary>An upstream service: how to reach it and its endpoints (Envoy's Cluster with its ClusterLoadAssignment).</summary>
public sealed record ClusterConfig
{
    public required string Name { get; init; }

    /// <summary>
    /// The service this cluster is, as a host name (reviews.shop.svc.cluster.local): Istio's destination_service label.
    /// Default: the cluster name.
    /// </summary>
    public string? Service { get; init; }

    /// <summary>
    /// The service port this cluster serves (1-65535). With <see cref="Subset"/> and the service it makes Istio's
    /// SNI name <c>outbound_.&lt;port&gt;_.&lt;subset&gt;_.&lt;service&gt;</c>, which an AUTO_PASSTHROUGH gateway routes to this
    /// cluster. Null: the cluster is not exposed by service port.
    /// </summary>
    public int? ServicePort { get; init; }

    /// <summary>The subset of the service this cluster holds (a DestinationRule subset such as v1). Null: the whole service.</summary>
    public string? Subset { get; init; }

    /// <summary>Static endpoints, or the connection's original destination. Default: static.</summary>
    public ClusterType Type { get; init; } = ClusterType.Static;

    /// <summary>Mutual TLS to the endpoints. Null: plaintext.</summary>
    public UpstreamTlsConfig? Tls { get; init; }

    /// <summary>TCP connect timeout, the TLS handshake included. Default 5s. On expiry: 503, flag UF.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Upstream connections idle for this long are closed. Default 1h (Envoy's idle_timeout).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The endpoint picker. Default: round robin (Envoy's default).</summary>
    public string LbPolicy { get; init; } = LoadBalancing.LoadBalancingPolicies.RoundRobin;

    /// <summary>HTTP version towards the upstream. Default: the downstream request's version.</summary>
    public UpstreamHttpProtocol HttpProtocol { get; init; } = UpstreamHttpProtocol.Downstream;

    /// <summary>
    /// Local addresses upstream connections are bound to, at most one per address family; the one matching the
    /// upstream's family is used (inbound uses 127.0.0.6 and ::6, as Istio does). Default: none.
    /// </summary>
    public EquatableArray<IPAddress> SourceAddresses { get; init; } = EquatableArray<IPAddress>.Empty;

    /// <summary>
    /// For original-destination clusters: replace the original IP with the address of its family, keeping the port
    /// (inbound sends to 127.0.0.1 or ::1). At most one per family. Default: none.
    /// </summary>
    public EquatableArray<IPAddress> OriginalDestinationOverrides { get; init; } = EquatableArray<IPAddress>.Empty;

    public EquatableArray<EndpointConfig> Endpoints { get; init; } = EquatableArray<EndpointConfig>.Empty;

    /// <summary>Priorities, panic, localities and picker knobs (docs/load-balancing.md). Default: Envoy's defaults.</summary>
    public LoadBalancerConfig LoadBalancer { get; init; } = LoadBalancerConfig.Default;

    /// <summary>Limits on connections, requests and retries (docs/resilience.md). Default: Envoy's.</summary>
    public CircuitBreakersConfig CircuitBreakers { get; init; } = CircuitBreakersConfig.Default;

    /// <summary>Active health checking of the endpoints (Envoy's health_checks). Null: none, endpoints count as healthy.</summary>
    public HealthCheckConfig? HealthChecks { get; init; }

    /// <summary>Passive health checking: ejection of endpoints whose requests fail (Envoy's outlier_detection). Null: off.</summary>
    public OutlierDetectionConfig? OutlierDetection { get; init; }
}

/// <summary>How a cluster finds its endpoints.</summary>
public enum ClusterType
{
    /// <summary>The endpoints listed in the config.</summary>
    Static,

    /// <summary>The original destination of the downstream connection (Envoy's ORIGINAL_DST, Istio's PassthroughCluster).</summary>
    OriginalDestination,
}

/// <summary>The HTTP version used upstream.</summary>
public enum UpstreamHttpProtocol
{
    /// <summary>The same version the client used: HTTP/2 for h2c and gRPC clients, HTTP/1.1 otherwise.</summary>
    Downstream,
    Http1,
    Http2,
}

/// <summary>One upstream host (Envoy's LbEndpoint with its locality and priority).</summary>
public sealed record EndpointConfig
{
    public required IPEndPoint Address { get; init; }

    /// <summary>Load-balancing weight, 1 to 128. Default 1.</summary>
    public int Weight { get; init; } = 1;

    /// <summary>Priority level; 0 is used first. Default 0.</summary>
    public int Priority { get; init; }

    public LocalityConfig Locality { get; init; } = LocalityConfig.None;

    /// <summary>Free-form labels (version, cluster, network) for subsets and logs.</summary>
    public EquatableArray<KeyValuePair<string, string>> Metadata { get; init; } = EquatableArray<KeyValuePair<string, string>>.Empty;
}

using MeshProxy.Utilities;

namespace MeshProxy.Configuration;

/// <summary>The identity and placement of this proxy (Envoy's Node).</summary>
public sealed record NodeConfig
{
    /// <summary>A unique id for this proxy instance. Default: the host name.</summary>
    public string Id { get; init; } = Environment.MachineName;

    /// <summary>The service this proxy sits next to (Envoy's local cluster). Default: "unknown".</summary>
    public string Service { get; init; } = "unknown";

    /// <summary>The namespace of the workload. Default: "default".</summary>
    public string Namespace { get; init; } = "default";

    /// <summary>Where this proxy runs; used by locality-aware load balancing.</summary>
    public LocalityConfig Locality { get; init; } = LocalityConfig.None;

    /// <summary>The workload (deployment) name, for Istio's *_workload metric labels. Default: the service.</summary>
    public string? Workload { get; init; }

    /// <summary>The mesh cluster this proxy runs in, for Istio's *_cluster labels. Default: "Kubernetes" (Istio's).</summary>
    public string ClusterId { get; init; } = "Kubernetes";

    /// <summary>
    /// The workload's labels. "app" and "version" fill Istio's *_app and *_version metric labels, and
    /// "service.istio.io/canonical-name" and "service.istio.io/canonical-revision" the canonical ones.
    /// </summary>
    public EquatableArray<KeyValuePair<string, string>> Labels { get; init; } = EquatableArray<KeyValuePair<string, string>>.Empty;

    /// <summary>
    /// The cluster whose endpoints are the instances of this proxy's own service (Envoy's local_cluster_name);
    /// zone-aware load balancing reads their zone spread. Default: none.
    /// </summary>
    public string? LocalCluster { get; init; }
}

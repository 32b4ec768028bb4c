using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using MeshProxy.Configuration;
using MeshProxy.Upstream;

namespace MeshProxy.Telemetry.Istio;

/// <summary>
/// Shares label objects between requests, so building a series key is a few lookups: this proxy's own workload (per
/// node config), each cluster's service and endpoint workloads (per cluster state), and calling peers (per SPIFFE ID).
/// </summary>
internal sealed class IstioLabelCache
{
    private static readonly ServiceLabels UnknownService = new(IstioLabels.Unknown, IstioLabels.Unknown, IstioLabels.Unknown);

    private readonly ConditionalWeakTable<ClusterState, ClusterLabels> _clusters = new();
    private readonly ConcurrentDictionary<string, WorkloadLabels> _peers = new(StringComparer.Ordinal);
    private volatile LocalLabels? _local;

    public static ServiceLabels NoService => UnknownService;

    /// <summary>This proxy's own workload and service; <paramref name="principal"/> is its SPIFFE ID, when it has one.</summary>
    public (WorkloadLabels Workload, ServiceLabels Service) Local(NodeConfig node, string? principal)
    {
        var local = _local;
        if (local is null || !ReferenceEquals(local.Node, node) || !string.Equals(local.Principal, principal, StringComparison.Ordinal))
        {
            local = new LocalLabels(node, principal, WorkloadLabels.ForNode(node, principal), ServiceLabels.For(node.Service));
            _local = local;
        }
        return (local.Workload, local.Service);
    }

    /// <summary>The service a cluster is, and the workload of the endpoint a request went to.</summary>
    public (WorkloadLabels Workload, ServiceLabels Service) Destination(ClusterState cluster, EndpointState? endpoint)
    {
        var labels = _clusters.GetValue(cluster, static c => new ClusterLabels(c));
        var workload = labels.DefaultWorkload;
        if (endpoint is not null && !endpoint.Config.Metadata.IsEmpty)
        {
            // Static endpoints' configs live as long as their cluster state; original-destination ones have no metadata.
            workload = labels.Endpoints.GetOrAdd(endpoint.Config, static (config, service) =>
                WorkloadLabels.ForEndpoint(config.Metadata, principal: null, service.Namespace == IstioLabels.Unknown ? null : service.Namespace), labels.Service);
        }
        if (endpoint?.PeerPrincipal is { } principal)
        {
            // Over mTLS the endpoint proved who it is: Istio's destination_principal.
            workload = labels.WithPrincipal.GetOrAdd((workload, principal), static key => key.Workload with { Principal = key.Principal });
        }
        return (workload, labels.Service);
    }

    /// <summary>A caller known by its SPIFFE ID (inbound mTLS), or Unknown.</summary>
    public WorkloadLabels Peer(string? principal)
        => principal is null ? WorkloadLabels.Unknown : _peers.GetOrAdd(principal, static p => WorkloadLabels.ForPeer(p));

    private sealed record LocalLabels(NodeConfig Node, string? Principal, WorkloadLabels Workload, ServiceLabels Service);

    private sealed class ClusterLabels
    {
        public ClusterLabels(ClusterState cluster)
        {
            Service = ServiceLabels.For(cluster.Config.Service ?? cluster.Name);
            DefaultWorkload = WorkloadLabels.ForEndpoint(default, principal: null, Service.Namespace == IstioLabels.Unknown ? null : Service.Namespace);
        }

        public ServiceLabels Service { get; }

        public WorkloadLabels DefaultWorkload { get; }

        public ConcurrentDictionary<EndpointConfig, WorkloadLabels> Endpoints { get; } = new(ReferenceEqualityComparer.Instance);

        public ConcurrentDictionary<(WorkloadLabels Workload, string Principal), WorkloadLabels> WithPrincipal { get; } = new();
    }
}

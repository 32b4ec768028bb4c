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

    /// <summary>This proxy's own workload and service.</summary>
    public (WorkloadLabels Workload, ServiceLabels Service) Local(NodeConfig node)
    {
        var local = _local;
        if (local is null || !ReferenceEquals(local.Node, node))
        {
            local = new LocalLabels(node, WorkloadLabels.ForNode(node, principal: null), ServiceLabels.For(node.Service));
            _local = local;
        }
        return (local.Workload, local.Service);
    }

    /// <summary>The service a cluster is, and the workload of the endpoint a request went to.</summary>
    public (WorkloadLabels Workload, ServiceLabels Service) Destination(ClusterState cluster, EndpointState? endpoint)
    {
        var labels = _clusters.GetValue(cluster, static c => new ClusterLabels(c));
        if (endpoint is null || endpoint.Config.Metadata.IsEmpty)
        {
            return (labels.DefaultWorkload, labels.Service);
        }
        // Static endpoints' configs live as long as their cluster state; original-destination ones have no metadata.
        var workload = labels.Endpoints.GetOrAdd(endpoint.Config, static (config, service) =>
            WorkloadLabels.ForEndpoint(config.Metadata, principal: null, service.Namespace == IstioLabels.Unknown ? null : service.Namespace), labels.Service);
        return (workload, labels.Service);
    }

    /// <summary>A caller known by its SPIFFE ID (inbound mTLS), or Unknown.</summary>
    public WorkloadLabels Peer(string? principal)
        => principal is null ? WorkloadLabels.Unknown : _peers.GetOrAdd(principal, static p => WorkloadLabels.ForPeer(p));

    private sealed record LocalLabels(NodeConfig Node, WorkloadLabels Workload, ServiceLabels Service);

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
    }
}

using MeshProxy.Configuration;
using MeshProxy.Utilities;

namespace MeshProxy.Telemetry.Istio;

/// <summary>
/// The eight labels that describe one side of a request (workload, namespace, principal, app, version, canonical
/// service and revision, cluster), in Istio's order. Built once per distinct workload and shared.
/// </summary>
internal sealed record WorkloadLabels(
    string Workload, string Namespace, string Principal, string App, string Version,
    string CanonicalService, string CanonicalRevision, string Cluster)
{
    public static WorkloadLabels Unknown { get; } = new(IstioLabels.Unknown, IstioLabels.Unknown, IstioLabels.Unknown, IstioLabels.Unknown,
        IstioLabels.Unknown, IstioLabels.Unknown, IstioLabels.Latest, IstioLabels.Unknown);

    /// <summary>This proxy's own workload, from node config.</summary>
    public static WorkloadLabels ForNode(NodeConfig node, string? principal)
    {
        var workload = node.Workload ?? node.Service;
        var app = Find(node.Labels, "app") ?? IstioLabels.Unknown;
        var version = Find(node.Labels, "version") ?? IstioLabels.Unknown;
        return new WorkloadLabels(workload, node.Namespace, principal ?? IstioLabels.Unknown, app, version,
            Find(node.Labels, "service.istio.io/canonical-name") ?? Find(node.Labels, "app") ?? workload,
            Find(node.Labels, "service.istio.io/canonical-revision") ?? Find(node.Labels, "version") ?? IstioLabels.Latest,
            node.ClusterId);
    }

    /// <summary>An upstream endpoint's workload, from its metadata (workload, namespace, app, version, cluster).</summary>
    public static WorkloadLabels ForEndpoint(EquatableArray<KeyValuePair<string, string>> metadata, string? principal, string? serviceNamespace)
    {
        if (metadata.IsEmpty && principal is null && serviceNamespace is null)
        {
            return Unknown;
        }
        var app = Find(metadata, "app");
        var version = Find(metadata, "version");
        return new WorkloadLabels(
            Find(metadata, "workload") ?? IstioLabels.Unknown,
            Find(metadata, "namespace") ?? serviceNamespace ?? IstioLabels.Unknown,
            principal ?? IstioLabels.Unknown,
            app ?? IstioLabels.Unknown,
            version ?? IstioLabels.Unknown,
            Find(metadata, "service.istio.io/canonical-name") ?? app ?? IstioLabels.Unknown,
            Find(metadata, "service.istio.io/canonical-revision") ?? version ?? IstioLabels.Latest,
            Find(metadata, "cluster") ?? IstioLabels.Unknown);
    }

    /// <summary>A calling peer known only by its SPIFFE ID (inbound mTLS): the namespace comes from /ns/N/sa/S.</summary>
    public static WorkloadLabels ForPeer(string? principal)
    {
        if (principal is null)
        {
            return Unknown;
        }
        var ns = IstioLabels.Unknown;
        var marker = principal.IndexOf("/ns/", StringComparison.Ordinal);
        if (marker >= 0)
        {
            var start = marker + 4;
            var end = principal.IndexOf('/', start);
            ns = end > start ? principal[start..end] : principal[start..];
        }
        return Unknown with { Namespace = ns, Principal = principal };
    }

    private static string? Find(EquatableArray<KeyValuePair<string, string>> pairs, string key)
    {
        foreach (var (name, value) in pairs)
        {
            if (name == key)
            {
                return value;
            }
        }
        return null;
    }
}

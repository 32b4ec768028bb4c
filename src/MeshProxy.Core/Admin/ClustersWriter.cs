using System.Text;
using MeshProxy.Runtime;

namespace MeshProxy.Admin;

/// <summary>
/// /clusters in Envoy's text format ("cluster::endpoint::stat::value"), one line per endpoint statistic,
/// and /stats as "cluster.name.stat: value" lines. Both read the same counters.
/// </summary>
internal static class ClustersWriter
{
    public static string WriteClusters(ProxySnapshot snapshot)
    {
        var text = new StringBuilder();
        foreach (var cluster in snapshot.Clusters.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            text.Append(cluster.Name).Append("::type::").Append(cluster.Config.Type).Append('\n');
            text.Append(cluster.Name).Append("::lb_policy::").Append(cluster.Config.LbPolicy).Append('\n');
            foreach (var endpoint in cluster.Endpoints)
            {
                var prefix = $"{cluster.Name}::{endpoint.Address}::";
                text.Append(prefix).Append("health_flags::healthy\n");
                text.Append(prefix).Append("weight::").Append(endpoint.Config.Weight).Append('\n');
                text.Append(prefix).Append("priority::").Append(endpoint.Config.Priority).Append('\n');
                text.Append(prefix).Append("region::").Append(endpoint.Config.Locality.Region).Append('\n');
                text.Append(prefix).Append("zone::").Append(endpoint.Config.Locality.Zone).Append('\n');
                text.Append(prefix).Append("sub_zone::").Append(endpoint.Config.Locality.Subzone).Append('\n');
                text.Append(prefix).Append("rq_active::").Append(endpoint.ActiveRequests).Append('\n');
                text.Append(prefix).Append("rq_total::").Append(endpoint.TotalRequests).Append('\n');
                text.Append(prefix).Append("rq_error::").Append(endpoint.FailedRequests).Append('\n');
            }
        }
        return text.ToString();
    }

    public static string WriteStats(ProxySnapshot snapshot)
    {
        var text = new StringBuilder();
        foreach (var cluster in snapshot.Clusters.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            var prefix = $"cluster.{cluster.Name}.";
            var stats = cluster.Stats;
            text.Append(prefix).Append("upstream_cx_active: ").Append(stats.ConnectionsActive).Append('\n');
            text.Append(prefix).Append("upstream_cx_connect_fail: ").Append(stats.ConnectFailures).Append('\n');
            text.Append(prefix).Append("upstream_cx_total: ").Append(stats.ConnectionsTotal).Append('\n');
            text.Append(prefix).Append("upstream_rq_active: ").Append(stats.RequestsActive).Append('\n');
            text.Append(prefix).Append("upstream_rq_total: ").Append(stats.RequestsTotal).Append('\n');
            for (var statusClass = 1; statusClass <= 5; statusClass++)
            {
                text.Append(prefix).Append("upstream_rq_").Append(statusClass).Append("xx: ").Append(stats.ResponsesOfClass(statusClass)).Append('\n');
            }
        }
        return text.ToString();
    }
}

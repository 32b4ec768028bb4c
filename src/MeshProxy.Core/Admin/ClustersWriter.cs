using System.Text;
using MeshProxy.Health;
using MeshProxy.LoadBalancing;
using MeshProxy.Runtime;
using MeshProxy.Telemetry;
using MeshProxy.Upstream;

namespace MeshProxy.Admin;

/// <summary>
/// /clusters in Envoy's text format ("cluster::endpoint::stat::value"), one line per endpoint fact, and /stats as
/// "cluster.name.stat: value" lines. Both read the same counters as /stats/prometheus.
/// </summary>
internal static class ClustersWriter
{
    public static string WriteClusters(ProxySnapshot snapshot, StatsRegistry stats)
    {
        var text = new StringBuilder();
        foreach (var cluster in snapshot.Clusters.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            var lines = new StatLines(text, cluster.Name + "::", "::");
            lines.Line("type", cluster.Config.Type.ToString());
            lines.Line("lb_policy", cluster.Config.LbPolicy.ToString());
            AppendClusterCounters(lines, stats.Cluster(cluster.Name), cluster);
            foreach (var endpoint in cluster.Endpoints)
            {
                var endpointLines = new StatLines(text, $"{cluster.Name}::{endpoint.Address}::", "::");
                endpointLines.Line("health_flags", HealthFlags(endpoint));
                endpointLines.Line("weight", endpoint.Weight);
                endpointLines.Line("priority", endpoint.Priority);
                endpointLines.Line("region", endpoint.Locality.Region);
                endpointLines.Line("zone", endpoint.Locality.Zone);
                endpointLines.Line("sub_zone", endpoint.Locality.Subzone);
                endpointLines.Line("rq_active", endpoint.ActiveRequests);
                endpointLines.Line("rq_total", endpoint.TotalRequests);
                endpointLines.Line("rq_error", endpoint.FailedRequests);
            }
        }
        return text.ToString();
    }

    public static string WriteStats(ProxySnapshot snapshot, StatsRegistry stats)
    {
        var text = new StringBuilder();
        foreach (var (name, clusterStats) in stats.Clusters)
        {
            snapshot.Clusters.TryGetValue(name, out var cluster);
            AppendClusterCounters(new StatLines(text, $"cluster.{name}.", ": "), clusterStats, cluster);
        }
        foreach (var (name, listenerStats) in stats.Listeners)
        {
            var listener = new StatLines(text, $"listener.{name}.", ": ");
            listener.Line("downstream_cx_total", listenerStats.ConnectionsTotal);
            listener.Line("downstream_cx_active", listenerStats.ConnectionsActive);
            listener.Line("downstream_cx_refused_not_redirected", listenerStats.RefusedNotRedirected);
            listener.Line("downstream_cx_detection_timeout", listenerStats.DetectionTimeouts);
            listener.Line("downstream_cx_plaintext_refused", listenerStats.PlaintextRefused);
            listener.Line("rbac.allowed", listenerStats.RbacAllowedCount);
            listener.Line("rbac.denied", listenerStats.RbacDeniedCount);
            listener.Line("ssl.handshake", listenerStats.TlsHandshakes);
            foreach (var (reason, count) in listenerStats.TlsFailures.All)
            {
                listener.Line("ssl.handshake_failure." + reason, count);
            }
            var http = new StatLines(text, $"http.{name}.", ": ");
            http.Line("downstream_rq_total", listenerStats.RequestsTotal);
            for (var statusClass = 1; statusClass <= 5; statusClass++)
            {
                http.Line($"downstream_rq_{statusClass}xx", listenerStats.ResponsesOfClass(statusClass));
            }
        }
        foreach (var (name, router) in stats.SniRouters)
        {
            var listener = new StatLines(text, $"listener.{name}.", ": ");
            listener.Line("tls_inspector.client_hello_too_large", router.ClientHelloTooLarge);
            listener.Line("tls_inspector.tls_not_found", router.TlsNotFound);
            listener.Line("tls_inspector.sni_not_found", router.SniNotFound);
            listener.Line("tls_inspector.connection_closed", router.ConnectionClosed);
            listener.Line("no_filter_chain_match", router.NoFilterChainMatch);
            foreach (var route in router.Routes)
            {
                var routeLines = new StatLines(text, $"sni_route.{name}.{route.Route}.{route.Cluster}.", ": ");
                routeLines.Line("downstream_cx_total", route.ConnectionsTotal);
                routeLines.Line("downstream_cx_active", route.ConnectionsActive);
            }
        }
        return text.ToString();
    }

    private static void AppendClusterCounters(StatLines lines, ClusterStats stats, ClusterState? cluster)
    {
        void Line(string name, long value) => lines.Line(name, value);

        Line("upstream_cx_active", stats.ConnectionsActive);
        Line("upstream_cx_connect_fail", stats.ConnectFailures);
        Line("upstream_cx_total", stats.ConnectionsTotal);
        Line("upstream_rq_active", stats.RequestsActive);
        Line("upstream_rq_total", stats.RequestsTotal);
        Line("ssl.handshake", stats.TlsHandshakes);
        var resilience = stats.Resilience;
        Line("retry_or_shadow_abandoned", resilience.RetryAbandoned);
        Line("upstream_cx_overflow", resilience.ConnectionOverflows);
        Line("upstream_rq_hedge", resilience.Hedges);
        Line("upstream_rq_max_duration_reached", resilience.MaxDurationReached);
        Line("upstream_rq_pending_overflow", resilience.RequestOverflows);
        Line("upstream_rq_per_try_timeout", resilience.PerTryTimeouts);
        Line("upstream_rq_retry", resilience.Retries);
        Line("upstream_rq_retry_backoff_exponential", resilience.RetryBackoffs);
        Line("upstream_rq_retry_limit_exceeded", resilience.RetryLimitExceeded);
        Line("upstream_rq_retry_overflow", resilience.RetryOverflows);
        Line("upstream_rq_retry_success", resilience.RetrySuccesses);
        Line("upstream_rq_timeout", resilience.RequestTimeouts);
        foreach (var (reason, count) in stats.TlsFailures.All)
        {
            Line("ssl.handshake_failure." + reason, count);
        }
        for (var statusClass = 1; statusClass <= 5; statusClass++)
        {
            Line($"upstream_rq_{statusClass}xx", stats.ResponsesOfClass(statusClass));
        }
        if (cluster is not null)
        {
            var lb = cluster.LoadBalancer.Stats;
            Line("lb_healthy_panic", lb.HealthyPanic);
            Line("lb_local_cluster_not_ok", lb.LocalClusterNotOk);
            Line("lb_recalculate_zone_structures", lb.RecalculateZoneStructures);
            Line("lb_zone_cluster_too_small", lb.ZoneClusterTooSmall);
            Line("lb_zone_no_capacity_left", lb.ZoneNoCapacityLeft);
            Line("lb_zone_routing_all_directly", lb.ZoneRoutingAllDirectly);
            Line("lb_zone_routing_cross_zone", lb.ZoneRoutingCrossZone);
            Line("lb_zone_routing_sampled", lb.ZoneRoutingSampled);
        }
        var check = stats.HealthCheck;
        if (check.IsEnabled)
        {
            Line("health_check.attempt", check.Attempts);
            Line("health_check.degraded", check.Degraded);
            Line("health_check.failure", check.Failures);
            Line("health_check.healthy", check.Healthy);
            Line("health_check.network_failure", check.NetworkFailures);
            Line("health_check.success", check.Successes);
        }
        var outlier = stats.OutlierDetection;
        if (outlier.IsEnabled)
        {
            Line("outlier_detection.ejections_active", outlier.EjectionsActive);
            foreach (var type in OutlierDetectionStats.Types)
            {
                Line("outlier_detection.ejections_detected_" + OutlierDetectionStats.Suffix(type), outlier.Detected(type));
                Line("outlier_detection.ejections_enforced_" + OutlierDetectionStats.Suffix(type), outlier.Enforced(type));
            }
            Line("outlier_detection.ejections_enforced_total", outlier.EjectionsEnforcedTotal);
            Line("outlier_detection.ejections_overflow", outlier.EjectionsOverflow);
        }
    }

    /// <summary>Envoy's health flags: "healthy", or what makes the endpoint unusable ("/failed_active_hc/failed_outlier_check").</summary>
    private static string HealthFlags(EndpointState endpoint)
    {
        var flags = new StringBuilder();
        if (endpoint.FailedActiveHealthCheck)
        {
            flags.Append("/failed_active_hc");
        }
        if (endpoint.EjectedByOutlierDetection)
        {
            flags.Append("/failed_outlier_check");
        }
        if (endpoint.DegradedByActiveHealthCheck)
        {
            flags.Append("/degraded_active_hc");
        }
        if (endpoint.HealthStatus is EndpointHealth.Degraded)
        {
            flags.Append("/degraded_eds_health");
        }
        if (endpoint.HealthStatus is EndpointHealth.Unhealthy)
        {
            flags.Append("/failed_eds_health");
        }
        if (endpoint.HealthStatus is EndpointHealth.Draining)
        {
            flags.Append("/pending_dynamic_removal");
        }
        return flags.Length == 0 ? "healthy" : flags.ToString();
    }

    /// <summary>Lines of prefix, name, separator and value: the shape of every /clusters and /stats line.</summary>
    private readonly struct StatLines(StringBuilder text, string prefix, string separator)
    {
        public void Line(string name, long value) => text.Append(prefix).Append(name).Append(separator).Append(value).Append('\n');

        public void Line(string name, string? value) => text.Append(prefix).Append(name).Append(separator).Append(value).Append('\n');
    }
}

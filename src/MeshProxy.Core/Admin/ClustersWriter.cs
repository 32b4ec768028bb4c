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
            text.Append(cluster.Name).Append("::type::").Append(cluster.Config.Type).Append('\n');
            text.Append(cluster.Name).Append("::lb_policy::").Append(cluster.Config.LbPolicy).Append('\n');
            AppendClusterCounters(text, cluster.Name + "::", "::", stats.Cluster(cluster.Name), cluster);
            foreach (var endpoint in cluster.Endpoints)
            {
                var prefix = $"{cluster.Name}::{endpoint.Address}::";
                text.Append(prefix).Append("health_flags::").Append(HealthFlags(endpoint)).Append('\n');
                text.Append(prefix).Append("weight::").Append(endpoint.Weight).Append('\n');
                text.Append(prefix).Append("priority::").Append(endpoint.Priority).Append('\n');
                text.Append(prefix).Append("region::").Append(endpoint.Locality.Region).Append('\n');
                text.Append(prefix).Append("zone::").Append(endpoint.Locality.Zone).Append('\n');
                text.Append(prefix).Append("sub_zone::").Append(endpoint.Locality.Subzone).Append('\n');
                text.Append(prefix).Append("rq_active::").Append(endpoint.ActiveRequests).Append('\n');
                text.Append(prefix).Append("rq_total::").Append(endpoint.TotalRequests).Append('\n');
                text.Append(prefix).Append("rq_error::").Append(endpoint.FailedRequests).Append('\n');
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
            AppendClusterCounters(text, $"cluster.{name}.", ": ", clusterStats, cluster);
        }
        foreach (var (name, listenerStats) in stats.Listeners)
        {
            var prefix = $"listener.{name}.";
            text.Append(prefix).Append("downstream_cx_total: ").Append(listenerStats.ConnectionsTotal).Append('\n');
            text.Append(prefix).Append("downstream_cx_active: ").Append(listenerStats.ConnectionsActive).Append('\n');
            text.Append(prefix).Append("downstream_cx_refused_not_redirected: ").Append(listenerStats.RefusedNotRedirected).Append('\n');
            text.Append(prefix).Append("downstream_cx_detection_timeout: ").Append(listenerStats.DetectionTimeouts).Append('\n');
            text.Append(prefix).Append("downstream_cx_plaintext_refused: ").Append(listenerStats.PlaintextRefused).Append('\n');
            text.Append(prefix).Append("rbac.allowed: ").Append(listenerStats.RbacAllowedCount).Append('\n');
            text.Append(prefix).Append("rbac.denied: ").Append(listenerStats.RbacDeniedCount).Append('\n');
            text.Append(prefix).Append("ssl.handshake: ").Append(listenerStats.TlsHandshakes).Append('\n');
            foreach (var (reason, count) in listenerStats.TlsFailures.All)
            {
                text.Append(prefix).Append("ssl.handshake_failure.").Append(reason).Append(": ").Append(count).Append('\n');
            }
            text.Append($"http.{name}.downstream_rq_total: ").Append(listenerStats.RequestsTotal).Append('\n');
            for (var statusClass = 1; statusClass <= 5; statusClass++)
            {
                text.Append($"http.{name}.downstream_rq_{statusClass}xx: ").Append(listenerStats.ResponsesOfClass(statusClass)).Append('\n');
            }
        }
        foreach (var (name, router) in stats.SniRouters)
        {
            var prefix = $"listener.{name}.";
            text.Append(prefix).Append("tls_inspector.client_hello_too_large: ").Append(router.ClientHelloTooLarge).Append('\n');
            text.Append(prefix).Append("tls_inspector.tls_not_found: ").Append(router.TlsNotFound).Append('\n');
            text.Append(prefix).Append("tls_inspector.sni_not_found: ").Append(router.SniNotFound).Append('\n');
            text.Append(prefix).Append("tls_inspector.connection_closed: ").Append(router.ConnectionClosed).Append('\n');
            text.Append(prefix).Append("no_filter_chain_match: ").Append(router.NoFilterChainMatch).Append('\n');
            foreach (var route in router.Routes)
            {
                var routePrefix = $"sni_route.{name}.{route.Route}.{route.Cluster}.";
                text.Append(routePrefix).Append("downstream_cx_total: ").Append(route.ConnectionsTotal).Append('\n');
                text.Append(routePrefix).Append("downstream_cx_active: ").Append(route.ConnectionsActive).Append('\n');
            }
        }
        return text.ToString();
    }

    private static void AppendClusterCounters(StringBuilder text, string prefix, string separator, ClusterStats stats, ClusterState? cluster)
    {
        void Line(string name, long value) => text.Append(prefix).Append(name).Append(separator).Append(value).Append('\n');

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
}

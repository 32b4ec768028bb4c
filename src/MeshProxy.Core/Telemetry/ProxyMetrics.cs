using System.Globalization;
using MeshProxy.Health;
using MeshProxy.Runtime;
using MeshProxy.Telemetry.AccessLog;
using MeshProxy.Telemetry.Istio;
using MeshProxy.Upstream;
using Prometheus;

namespace MeshProxy.Telemetry;

/// <summary>
/// The Prometheus registry served on /stats/prometheus. Each proxy host has its own registry, so several proxies in one
/// process (tests, the demo) never mix their numbers. Istio's standard metrics are recorded as requests finish; the
/// Envoy-style cluster, listener and load-balancer counters are copied from the live counters just before each scrape,
/// under Envoy's Prometheus names (envoy_cluster_*, envoy_listener_*, envoy_http_*).
/// </summary>
public sealed class ProxyMetrics
{
    private static readonly string[] ClusterLabel = ["envoy_cluster_name"];
    private static readonly string[] ListenerLabel = ["envoy_listener_name"];

    private readonly ConfigManager _configManager;
    private readonly StatsRegistry _stats;
    private readonly AccessLogWriter _accessLog;
    private readonly IMetricFactory _factory;
    private readonly Dictionary<string, Counter> _counters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Gauge> _gauges = new(StringComparer.Ordinal);

    public ProxyMetrics(ConfigManager configManager, StatsRegistry stats, AccessLogWriter accessLog)
    {
        _configManager = configManager;
        _stats = stats;
        _accessLog = accessLog;
        Registry = Metrics.NewCustomRegistry();
        _factory = Metrics.WithCustomRegistry(Registry);
        Istio = new IstioMetrics(_factory);
        Registry.AddBeforeCollectCallback(CopyCounters);
    }

    public CollectorRegistry Registry { get; }

    internal IstioMetrics Istio { get; }

    private void CopyCounters()
    {
        foreach (var (name, stats) in _stats.Clusters)
        {
            Count("envoy_cluster_upstream_rq_total", "Requests sent to the cluster.", name, stats.RequestsTotal);
            Set("envoy_cluster_upstream_rq_active", "Requests in flight.", name, stats.RequestsActive);
            Count("envoy_cluster_upstream_cx_total", "TCP connections the L4 relay opened to the cluster.", name, stats.ConnectionsTotal);
            Set("envoy_cluster_upstream_cx_active", "Open L4 relay connections to the cluster.", name, stats.ConnectionsActive);
            Count("envoy_cluster_upstream_cx_connect_fail", "Failed upstream connection attempts.", name, stats.ConnectFailures);
            for (var statusClass = 1; statusClass <= 5; statusClass++)
            {
                Counter("envoy_cluster_upstream_rq_xx", "Responses by status class.", "envoy_cluster_name", "envoy_response_code_class")
                    .WithLabels(name, statusClass.ToString(CultureInfo.InvariantCulture)).IncTo(stats.ResponsesOfClass(statusClass));
            }
            CopyHealthStats(name, stats);
        }
        foreach (var (name, stats) in _stats.Listeners)
        {
            CountListener("envoy_listener_downstream_cx_total", "Connections accepted.", name, stats.ConnectionsTotal);
            SetListener("envoy_listener_downstream_cx_active", "Connections open.", name, stats.ConnectionsActive);
            CountListener("envoy_listener_downstream_cx_refused_not_redirected", "Capture connections refused because iptables had not redirected them.", name, stats.RefusedNotRedirected);
            CountListener("envoy_listener_downstream_cx_detection_timeout", "Connections closed because their first bytes did not arrive in time.", name, stats.DetectionTimeouts);
            CountListener("envoy_http_downstream_rq_total", "HTTP requests received.", name, stats.RequestsTotal);
            for (var statusClass = 1; statusClass <= 5; statusClass++)
            {
                Counter("envoy_http_downstream_rq_xx", "HTTP responses by status class.", "envoy_http_conn_manager_prefix", "envoy_response_code_class")
                    .WithLabels(name, statusClass.ToString(CultureInfo.InvariantCulture)).IncTo(stats.ResponsesOfClass(statusClass));
            }
        }
        if (_configManager.HasConfig)
        {
            foreach (var cluster in _configManager.Current.Clusters.Values)
            {
                var lb = cluster.LoadBalancer.Stats;
                Count("envoy_cluster_lb_healthy_panic", "Picks made in panic mode (all hosts used).", cluster.Name, lb.HealthyPanic);
                Count("envoy_cluster_lb_zone_routing_all_directly", "Zone-aware picks that stayed in the local zone.", cluster.Name, lb.ZoneRoutingAllDirectly);
                Count("envoy_cluster_lb_zone_routing_sampled", "Zone-aware picks sent to the local zone by sampling.", cluster.Name, lb.ZoneRoutingSampled);
                Count("envoy_cluster_lb_zone_routing_cross_zone", "Zone-aware picks sent to another zone.", cluster.Name, lb.ZoneRoutingCrossZone);
                Count("envoy_cluster_lb_zone_cluster_too_small", "Zone-aware routing skipped: too few upstream hosts.", cluster.Name, lb.ZoneClusterTooSmall);
                Count("envoy_cluster_lb_local_cluster_not_ok", "Zone-aware routing skipped: the local cluster is unfit.", cluster.Name, lb.LocalClusterNotOk);
                Count("envoy_cluster_lb_zone_no_capacity_left", "Zone-aware picks with no residual capacity left.", cluster.Name, lb.ZoneNoCapacityLeft);
                Count("envoy_cluster_lb_recalculate_zone_structures", "Zone-aware routing recomputations.", cluster.Name, lb.RecalculateZoneStructures);
            }
        }
        Counter("meshproxy_access_log_dropped_total", "Access-log lines dropped because the queue was full.").IncTo(_accessLog.Dropped);
    }

    /// <summary>cluster.&lt;name&gt;.health_check.* and outlier_detection.*, for clusters that have (or had) them.</summary>
    private void CopyHealthStats(string name, ClusterStats stats)
    {
        var check = stats.HealthCheck;
        if (check.IsEnabled)
        {
            Count("envoy_cluster_health_check_attempt", "Active health checks started.", name, check.Attempts);
            Count("envoy_cluster_health_check_success", "Active health checks passed.", name, check.Successes);
            Count("envoy_cluster_health_check_failure", "Active health checks failed.", name, check.Failures);
            Count("envoy_cluster_health_check_network_failure", "Active health checks failed without an answer.", name, check.NetworkFailures);
            Set("envoy_cluster_health_check_healthy", "Endpoints passing their active health checks.", name, check.Healthy);
            Set("envoy_cluster_health_check_degraded", "Endpoints degraded by their active health checks.", name, check.Degraded);
        }
        var outlier = stats.OutlierDetection;
        if (outlier.IsEnabled)
        {
            Count("envoy_cluster_outlier_detection_ejections_enforced_total", "Ejections enforced.", name, outlier.EjectionsEnforcedTotal);
            Set("envoy_cluster_outlier_detection_ejections_active", "Endpoints ejected now.", name, outlier.EjectionsActive);
            Count("envoy_cluster_outlier_detection_ejections_overflow", "Ejections refused by maxEjectionPercent.", name, outlier.EjectionsOverflow);
            foreach (var type in OutlierDetectionStats.Types)
            {
                var suffix = OutlierDetectionStats.Suffix(type);
                Count("envoy_cluster_outlier_detection_ejections_enforced_" + suffix, "Ejections enforced, by reason.", name, outlier.Enforced(type));
                Count("envoy_cluster_outlier_detection_ejections_detected_" + suffix, "Outliers detected (enforced or not), by reason.", name, outlier.Detected(type));
            }
        }
    }

    private void Count(string name, string help, string cluster, long value) => Counter(name, help, ClusterLabel).WithLabels(cluster).IncTo(value);

    private void Set(string name, string help, string cluster, long value) => Gauge(name, help, ClusterLabel).WithLabels(cluster).Set(value);

    private void CountListener(string name, string help, string listener, long value) => Counter(name, help, ListenerLabel).WithLabels(listener).IncTo(value);

    private void SetListener(string name, string help, string listener, long value) => Gauge(name, help, ListenerLabel).WithLabels(listener).Set(value);

    // Scrapes run one at a time (prometheus-net serialises collection), so the dictionaries need no lock.
    private Counter Counter(string name, string help, params string[] labels)
    {
        if (!_counters.TryGetValue(name, out var counter))
        {
            counter = _factory.CreateCounter(name, help, labels);
            _counters[name] = counter;
        }
        return counter;
    }

    private Gauge Gauge(string name, string help, params string[] labels)
    {
        if (!_gauges.TryGetValue(name, out var gauge))
        {
            gauge = _factory.CreateGauge(name, help, labels);
            _gauges[name] = gauge;
        }
        return gauge;
    }
}

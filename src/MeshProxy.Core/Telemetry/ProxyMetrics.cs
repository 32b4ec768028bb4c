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
            Count("envoy_cluster_upstream_cx_total", "Connections opened to the cluster's endpoints (HTTP pools and L4 relays).", name, stats.ConnectionsTotal);
            Set("envoy_cluster_upstream_cx_active", "Open connections to the cluster's endpoints.", name, stats.ConnectionsActive);
            Count("envoy_cluster_upstream_cx_connect_fail", "Failed upstream connection attempts.", name, stats.ConnectFailures);
            Count("envoy_cluster_ssl_handshake", "mTLS handshakes completed with the cluster's endpoints.", name, stats.TlsHandshakes);
            CountResilience(name, stats.Resilience);
            foreach (var (reason, count) in stats.TlsFailures.All)
            {
                Counter("envoy_cluster_ssl_handshake_failure", "Failed mTLS handshakes with the cluster's endpoints, by reason.", "envoy_cluster_name", "reason")
                    .WithLabels(name, reason).IncTo(count);
            }
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
            CountListener("envoy_listener_ssl_handshake", "mTLS handshakes completed.", name, stats.TlsHandshakes);
            CountListener("envoy_listener_downstream_cx_plaintext_refused", "Plaintext connections refused by STRICT mTLS.", name, stats.PlaintextRefused);
            CountListener("envoy_listener_rbac_allowed", "Inbound requests and connections allowed by authorization policies.", name, stats.RbacAllowedCount);
            CountListener("envoy_listener_rbac_denied", "Inbound requests and connections denied by authorization policies.", name, stats.RbacDeniedCount);
            foreach (var (reason, count) in stats.TlsFailures.All)
            {
                Counter("envoy_listener_ssl_handshake_failure", "Failed mTLS handshakes, by reason.", "envoy_listener_name", "reason")
                    .WithLabels(name, reason).IncTo(count);
            }
            for (var statusClass = 1; statusClass <= 5; statusClass++)
            {
                Counter("envoy_http_downstream_rq_xx", "HTTP responses by status class.", "envoy_http_conn_manager_prefix", "envoy_response_code_class")
                    .WithLabels(name, statusClass.ToString(CultureInfo.InvariantCulture)).IncTo(stats.ResponsesOfClass(statusClass));
            }
        }
        foreach (var (name, router) in _stats.SniRouters)
        {
            CountListener("envoy_listener_tls_inspector_client_hello_too_large", "ClientHellos over the size limit (16 KiB) or the record limit.", name, router.ClientHelloTooLarge);
            CountListener("envoy_listener_tls_inspector_tls_not_found", "Connections that did not open with a well-formed TLS ClientHello.", name, router.TlsNotFound);
            CountListener("envoy_listener_tls_inspector_sni_not_found", "ClientHellos without a server name (SNI).", name, router.SniNotFound);
            CountListener("envoy_listener_tls_inspector_connection_closed", "Connections the client ended before its ClientHello was complete.", name, router.ConnectionClosed);
            CountListener("envoy_listener_no_filter_chain_match", "TLS connections whose server name no route matched, closed (no default cluster).", name, router.NoFilterChainMatch);
            foreach (var route in router.Routes)
            {
                Counter("meshproxy_sni_route_downstream_cx_total", "TLS connections an SNI route passed through.", "envoy_listener_name", "sni_route", "envoy_cluster_name")
                    .WithLabels(name, route.Route, route.Cluster).IncTo(route.ConnectionsTotal);
                Gauge("meshproxy_sni_route_downstream_cx_active", "TLS connections an SNI route is passing through now.", "envoy_listener_name", "sni_route", "envoy_cluster_name")
                    .WithLabels(name, route.Route, route.Cluster).Set(route.ConnectionsActive);
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

    private void CountResilience(string cluster, Resilience.ResilienceStats stats)
    {
        Count("envoy_cluster_upstream_rq_retry", "Retries and hedges started.", cluster, stats.Retries);
        Count("envoy_cluster_upstream_rq_retry_success", "Requests that succeeded after a retry.", cluster, stats.RetrySuccesses);
        Count("envoy_cluster_upstream_rq_retry_limit_exceeded", "Retries not made: numRetries used up (URX).", cluster, stats.RetryLimitExceeded);
        Count("envoy_cluster_upstream_rq_retry_overflow", "Retries not made: maxRetries or the retry budget full (UO).", cluster, stats.RetryOverflows);
        Count("envoy_cluster_upstream_rq_retry_backoff_exponential", "Retries that waited an exponential back-off.", cluster, stats.RetryBackoffs);
        Count("envoy_cluster_retry_or_shadow_abandoned", "Retries not made: the request body was over the buffer limit.", cluster, stats.RetryAbandoned);
        Count("envoy_cluster_upstream_rq_per_try_timeout", "Attempts that reached their per-try timeout.", cluster, stats.PerTryTimeouts);
        Count("envoy_cluster_upstream_rq_timeout", "Requests that reached the route timeout.", cluster, stats.RequestTimeouts);
        Count("envoy_cluster_upstream_rq_hedge", "Attempts started as hedges beside a slower one (meshproxy).", cluster, stats.Hedges);
        Count("envoy_cluster_upstream_rq_pending_overflow", "Requests refused by maxRequests or maxPendingRequests (UO).", cluster, stats.RequestOverflows);
        Count("envoy_cluster_upstream_cx_overflow", "Connections over maxConnections.", cluster, stats.ConnectionOverflows);
        Count("envoy_cluster_upstream_rq_max_duration_reached", "Requests ended by maxStreamDuration (UMSDR).", cluster, stats.MaxDurationReached);
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

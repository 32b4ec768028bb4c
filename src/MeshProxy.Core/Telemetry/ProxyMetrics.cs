using MeshProxy.Runtime;
using Prometheus;

namespace MeshProxy.Telemetry;

/// <summary>
/// The Prometheus registry served on /stats/prometheus. Each proxy host has its own registry, so several proxies
/// in one process (tests, the demo) never mix their numbers. Envoy-style cluster stats are copied from the live
/// counters just before each scrape, with Envoy's Prometheus names (envoy_cluster_*).
/// </summary>
public sealed class ProxyMetrics
{
    private readonly ConfigManager _configManager;
    private readonly Counter _requestsTotal;
    private readonly Counter _responsesByClass;
    private readonly Gauge _requestsActive;
    private readonly Counter _connectionsTotal;
    private readonly Gauge _connectionsActive;
    private readonly Counter _connectFailures;

    public ProxyMetrics(ConfigManager configManager)
    {
        _configManager = configManager;
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        string[] cluster = ["envoy_cluster_name"];
        _requestsTotal = factory.CreateCounter("envoy_cluster_upstream_rq_total", "Requests sent to the cluster.", cluster);
        _responsesByClass = factory.CreateCounter("envoy_cluster_upstream_rq_xx", "Responses by status class.", ["envoy_cluster_name", "envoy_response_code_class"]);
        _requestsActive = factory.CreateGauge("envoy_cluster_upstream_rq_active", "Requests in flight.", cluster);
        _connectionsTotal = factory.CreateCounter("envoy_cluster_upstream_cx_total", "TCP connections opened to the cluster by the L4 relay.", cluster);
        _connectionsActive = factory.CreateGauge("envoy_cluster_upstream_cx_active", "Open L4 relay connections to the cluster.", cluster);
        _connectFailures = factory.CreateCounter("envoy_cluster_upstream_cx_connect_fail", "Failed upstream connection attempts.", cluster);
        Registry.AddBeforeCollectCallback(CopyClusterStats);
    }

    public CollectorRegistry Registry { get; }

    private void CopyClusterStats()
    {
        if (!_configManager.HasConfig)
        {
            return;
        }
        foreach (var cluster in _configManager.Current.Clusters.Values)
        {
            var stats = cluster.Stats;
            _requestsTotal.WithLabels(cluster.Name).IncTo(stats.RequestsTotal);
            _requestsActive.WithLabels(cluster.Name).Set(stats.RequestsActive);
            _connectionsTotal.WithLabels(cluster.Name).IncTo(stats.ConnectionsTotal);
            _connectionsActive.WithLabels(cluster.Name).Set(stats.ConnectionsActive);
            _connectFailures.WithLabels(cluster.Name).IncTo(stats.ConnectFailures);
            for (var statusClass = 1; statusClass <= 5; statusClass++)
            {
                _responsesByClass.WithLabels(cluster.Name, statusClass.ToString(System.Globalization.CultureInfo.InvariantCulture)).IncTo(stats.ResponsesOfClass(statusClass));
            }
        }
    }
}

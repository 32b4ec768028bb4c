using MeshProxy.Configuration;
using MeshProxy.Upstream;
using MeshProxy.Utilities;
using Microsoft.Extensions.Logging;

namespace MeshProxy.Health;

/// <summary>The health layer of one <see cref="ClusterState"/>: its active health checker and outlier detector, either optional.</summary>
internal sealed class ClusterHealth : IDisposable
{
    private ClusterHealth(ClusterState cluster, ActiveHealthChecker? checker, OutlierDetector? detector)
    {
        Cluster = cluster;
        Checker = checker;
        Detector = detector;
    }

    public ClusterState Cluster { get; }

    public ActiveHealthChecker? Checker { get; }

    public OutlierDetector? Detector { get; }

    /// <summary>Completes when the first check of every endpoint has ended.</summary>
    public Task FirstRound => Checker?.FirstRound ?? Task.CompletedTask;

    /// <summary>
    /// Starts health checking and outlier detection for a cluster, continuing the state of its previous version
    /// (same name) endpoint by endpoint where the section did not change. Null when the cluster has neither.
    /// </summary>
    public static ClusterHealth? Start(ClusterState cluster, ClusterHealth? previous, TimeProvider timeProvider, IRandomFactory randomFactory, ILoggerFactory loggers)
    {
        var config = cluster.Config;
        // A gauge of a section that is gone (or never was) reads 0; the counters keep their history.
        if (config.HealthChecks is null)
        {
            cluster.Stats.HealthCheck.SetGauges(0, 0);
        }
        if (config.OutlierDetection is null)
        {
            cluster.Stats.OutlierDetection.SetActive(0);
        }
        if (config.HealthChecks is null && config.OutlierDetection is null)
        {
            return null;
        }
        var detector = config.OutlierDetection is { } outlier
            ? new OutlierDetector(cluster, outlier, timeProvider, randomFactory, loggers.CreateLogger<OutlierDetector>())
            : null;
        var checker = config.HealthChecks is { } healthChecks
            ? new ActiveHealthChecker(cluster, healthChecks, CreateProbe(healthChecks, config), timeProvider, randomFactory, loggers.CreateLogger<ActiveHealthChecker>())
            {
                CheckPassed = detector is null ? null : detector.OnActiveHealthCheckPassed,
            }
            : null;
        if (detector is not null)
        {
            detector.Start(previous?.Detector);
            cluster.OutcomeObserver = detector;
        }
        checker?.Start(previous?.Checker);
        return new ClusterHealth(cluster, checker, detector);
    }

    private static IHealthProbe CreateProbe(HealthCheckConfig config, ClusterConfig cluster) => config.Http is { } http
        ? new HttpHealthProbe(http, cluster)
        : new TcpHealthProbe(config.Tcp ?? TcpHealthCheckConfig.ConnectOnly, cluster);

    /// <summary>Sets the gauges of a cluster that left the config to zero.</summary>
    public static void ClearGauges(ClusterStats stats)
    {
        stats.HealthCheck.SetGauges(0, 0);
        stats.OutlierDetection.SetActive(0);
    }

    public void Dispose()
    {
        Checker?.Dispose();
        if (Detector is not null)
        {
            Detector.Dispose();
            Cluster.OutcomeObserver = IEndpointOutcomeObserver.None;
        }
    }
}

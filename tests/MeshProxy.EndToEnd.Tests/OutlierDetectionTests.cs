using System.Diagnostics;
using System.Net.Http;
using MeshProxy.TestSupport;
using static MeshProxy.EndToEnd.Tests.HealthYaml;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>
/// Outlier detection on real request outcomes: an endpoint answering 5xx is ejected after consecutive5xx errors and
/// returns once its ejection time has passed (on an interval tick); Envoy's 10% limit ejects nothing in a small cluster.
/// </summary>
public sealed class OutlierDetectionTests : IAsyncDisposable
{
    private readonly HealthRig _rig = new();

    [Fact]
    public async Task Consecutive5xx_EjectsFailingEndpoint_AndReturnsItAfterEjectionTime()
    {
        var (proxy, c) = await ThirdFailsAsync(500, """
            outlierDetection:
              consecutive5xx: 3
              interval: 200ms
              baseEjectionTime: 1s
              alwaysEjectOneHost: true
            """);

        // Nine sequential requests: round robin gives c three, all 500, and the third ejects it.
        var failing = await _rig.SendAsync(proxy, 9, concurrency: 1);
        var ejected = Stopwatch.StartNew();
        Assert.Equal(3, failing.Count("c"));
        var during = await _rig.SendAsync(proxy, 100);
        Assert.Equal(100, during.Count("a") + during.Count("b"));

        var stats = await _rig.StatsAsync(proxy);
        Assert.Equal(1, stats["cluster.backend.outlier_detection.ejections_enforced_consecutive_5xx"]);
        Assert.Equal(1, stats["cluster.backend.outlier_detection.ejections_detected_consecutive_5xx"]);
        Assert.Equal(1, stats["cluster.backend.outlier_detection.ejections_active"]);
        Assert.Equal(1, stats["cluster.backend.outlier_detection.ejections_enforced_total"]);
        Assert.Contains("/failed_outlier_check", await _rig.HealthFlagsAsync(proxy, c));
        var prometheus = await _rig.Client.GetStringAsync($"http://{proxy.Host.MetricsAddress}/stats/prometheus");
        Assert.Contains("envoy_cluster_outlier_detection_ejections_active{envoy_cluster_name=\"backend\"} 1", prometheus);

        c.FailureStatus = 0;
        Assert.True(await Eventually.TrueAsync(async () => await AdminStats.GetAsync(_rig.Client, proxy, "cluster.backend.outlier_detection.ejections_active") == 0, HealthRig.Bound));
        // Back no sooner than the base ejection time (1 × 1s), on a 200 ms tick.
        Assert.True(ejected.Elapsed >= TimeSpan.FromMilliseconds(900), $"returned after {ejected.Elapsed}");

        var recovered = await _rig.SendAsync(proxy, 300);
        Assert.InRange(recovered.Share("c"), 0.2, 0.47);
        Assert.Equal(300, recovered.Count("a") + recovered.Count("b") + recovered.Count("c"));
    }

    [Fact] // Envoy ≥ 1.27: 100 × (0 + 1) / 3 = 33% > 10%, so the failing endpoint is detected but never ejected.
    public async Task DefaultMaxEjectionPercent_SmallCluster_DetectsButNeverEjects()
    {
        var (proxy, _) = await ThirdFailsAsync(503, """
            outlierDetection:
              consecutive5xx: 3
              interval: 200ms
            """);

        var sample = await _rig.SendAsync(proxy, 300, concurrency: 1);

        Assert.Equal(100, sample.Count("c"));
        var stats = await _rig.StatsAsync(proxy);
        Assert.Equal(0, stats["cluster.backend.outlier_detection.ejections_active"]);
        Assert.Equal(0, stats["cluster.backend.outlier_detection.ejections_enforced_total"]);
        Assert.True(stats["cluster.backend.outlier_detection.ejections_detected_consecutive_5xx"] >= 30);
        Assert.Equal(stats["cluster.backend.outlier_detection.ejections_overflow"], stats["cluster.backend.outlier_detection.ejections_detected_consecutive_5xx"]
            + stats["cluster.backend.outlier_detection.ejections_detected_consecutive_gateway_failure"]);
    }

    [Fact] // A connection refused counts as a 503 (no split): the dead endpoint is ejected after three attempts.
    public async Task ConnectFailures_CountAs5xx_AndEject()
    {
        var a = await _rig.BackendAsync("a");
        var b = await _rig.BackendAsync("b");
        await b.KillAsync();
        var proxy = await _rig.ProxyAsync(Proxy("""
            outlierDetection:
              consecutive5xx: 3
              maxEjectionPercent: 50
            """, [Endpoint(a), Endpoint(b)]));

        var sample = await _rig.SendAsync(proxy, 100, concurrency: 1);

        Assert.Equal(3, sample.Count("status 503"));
        Assert.Equal(97, sample.Count("a"));
        Assert.Equal(1, await AdminStats.GetAsync(_rig.Client, proxy, "cluster.backend.outlier_detection.ejections_enforced_consecutive_5xx"));
    }

    /// <summary>Backends a, b and c behind a proxy with the given cluster settings; c answers every request with the status.</summary>
    private async Task<(ProxyTestHost Proxy, KillableBackend Failing)> ThirdFailsAsync(int status, string clusterSettings)
    {
        var backends = new[] { await _rig.BackendAsync("a"), await _rig.BackendAsync("b"), await _rig.BackendAsync("c") };
        backends[2].FailureStatus = status;
        return (await _rig.ProxyAsync(Proxy(clusterSettings, backends.Select(b => Endpoint(b)))), backends[2]);
    }

    public ValueTask DisposeAsync() => _rig.DisposeAsync();
}

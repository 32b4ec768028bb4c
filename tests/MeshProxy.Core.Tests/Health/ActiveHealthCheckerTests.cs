using System.Collections.Concurrent;
using System.Net;
using MeshProxy.Configuration;
using MeshProxy.Health;
using MeshProxy.LoadBalancing;
using MeshProxy.Upstream;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace MeshProxy.Tests.Health;

/// <summary>
/// Envoy's active health checking on a fake clock with scripted probe results: endpoints start failing and their first
/// check decides, thresholds, the immediate failure on a bad answer, degraded, timeouts, intervals, and the load shift.
/// </summary>
public sealed class ActiveHealthCheckerTests
{
    private static readonly HealthCheckConfig Config = new()
    {
        Interval = TimeSpan.FromSeconds(5),
        Timeout = TimeSpan.FromSeconds(1),
        NoTrafficInterval = TimeSpan.FromSeconds(5),
        UnhealthyThreshold = 3,
        HealthyThreshold = 2,
        Http = new HttpHealthCheckConfig { Path = "/healthz" },
    };

    private readonly FakeTimeProvider _time = new();
    private readonly ScriptedProbe _probe = new();

    [Fact]
    public void Config_Defaults_AreDocumented()
    {
        var config = new HealthCheckConfig();

        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1), 3, 2), (config.Interval, config.Timeout, config.UnhealthyThreshold, config.HealthyThreshold));
        Assert.Equal((TimeSpan.FromSeconds(60), TimeSpan.Zero), (config.NoTrafficInterval, config.InitialJitter));
        Assert.Equal([new StatusRange(200, 201)], new HttpHealthCheckConfig { Path = "/" }.ExpectedStatuses.ToArray());
    }

    [Fact] // Envoy marks new hosts FAILED_ACTIVE_HC; the first passing check clears it without waiting for the healthy threshold.
    public void Start_FirstCheckPasses_HealthyAtOnce()
    {
        var cluster = HealthTestCluster.Create(3, time: _time);
        _probe.SetAll(cluster, HealthProbeResult.Healthy);

        using var checker = Start(cluster);

        Assert.All(cluster.Endpoints, e => Assert.False(e.FailedActiveHealthCheck));
        var stats = cluster.Stats.HealthCheck;
        Assert.Equal((3, 3, 0, 3), (stats.Attempts, stats.Successes, stats.Failures, stats.Healthy));
        Assert.True(checker.FirstRound.IsCompleted);
    }

    [Fact]
    public void Start_FirstCheckFails_StaysOut()
    {
        var cluster = HealthTestCluster.Create(2, time: _time);
        _probe.SetAll(cluster, HealthProbeResult.Healthy);
        _probe.Set(cluster.Endpoints[1], HealthProbeResult.NetworkFailure);

        using var checker = Start(cluster);

        Assert.False(cluster.Endpoints[0].FailedActiveHealthCheck);
        Assert.True(cluster.Endpoints[1].FailedActiveHealthCheck);
        Assert.Equal((1, 1, 1), (cluster.Stats.HealthCheck.Failures, cluster.Stats.HealthCheck.NetworkFailures, cluster.Stats.HealthCheck.Healthy));
    }

    [Theory] // Network failures and timeouts count toward unhealthy_threshold (3).
    [InlineData(HealthProbeResult.NetworkFailure)]
    [InlineData(HealthProbeResult.Timeout)]
    public void NetworkFailures_MarkUnhealthyAtThreshold(HealthProbeResult failure)
    {
        var cluster = HealthTestCluster.Create(1, time: _time);
        _probe.SetAll(cluster, HealthProbeResult.Healthy);
        using var checker = Start(cluster);
        _probe.SetAll(cluster, failure);

        Tick();
        Tick();
        Assert.False(cluster.Endpoints[0].FailedActiveHealthCheck);
        Tick();

        Assert.True(cluster.Endpoints[0].FailedActiveHealthCheck);
        Assert.Equal(3, cluster.Stats.HealthCheck.NetworkFailures);
    }

    [Fact] // A pass in between starts the count again.
    public void NetworkFailures_PassInBetween_StartsOver()
    {
        var cluster = HealthTestCluster.Create(1, time: _time);
        _probe.SetAll(cluster, HealthProbeResult.Healthy);
        using var checker = Start(cluster);

        foreach (var result in new[] { HealthProbeResult.NetworkFailure, HealthProbeResult.NetworkFailure, HealthProbeResult.Healthy, HealthProbeResult.NetworkFailure, HealthProbeResult.NetworkFailure })
        {
            _probe.SetAll(cluster, result);
            Tick();
        }

        Assert.False(cluster.Endpoints[0].FailedActiveHealthCheck);
    }

    [Fact] // Envoy: an answer with an unexpected status is an ACTIVE failure and ignores unhealthy_threshold.
    public void FailedAnswer_MarksUnhealthyAtOnce()
    {
        var cluster = HealthTestCluster.Create(1, time: _time);
        _probe.SetAll(cluster, HealthProbeResult.Healthy);
        using var checker = Start(cluster);
        _probe.SetAll(cluster, HealthProbeResult.Failed);

        Tick();

        Assert.True(cluster.Endpoints[0].FailedActiveHealthCheck);
        Assert.Equal((1, 0), (cluster.Stats.HealthCheck.Failures, cluster.Stats.HealthCheck.NetworkFailures));
    }

    [Fact] // healthy_threshold (2) consecutive passes bring a failed endpoint back (the first-check shortcut is used up).
    public void Passes_BringBackAtHealthyThreshold()
    {
        var cluster = HealthTestCluster.Create(1, time: _time);
        _probe.SetAll(cluster, HealthProbeResult.Failed);
        using var checker = Start(cluster);
        _probe.SetAll(cluster, HealthProbeResult.Healthy);

        Tick();
        Assert.True(cluster.Endpoints[0].FailedActiveHealthCheck);
        Tick();

        Assert.False(cluster.Endpoints[0].FailedActiveHealthCheck);
    }

    [Fact] // x-envoy-degraded on a passing answer: the endpoint is degraded (takes traffic only after all healthy loads).
    public void Degraded_FlagsEndpoint_UntilAPlainPass()
    {
        var cluster = HealthTestCluster.Create(2, time: _time);
        _probe.SetAll(cluster, HealthProbeResult.Healthy);
        _probe.Set(cluster.Endpoints[1], HealthProbeResult.Degraded);
        using var checker = Start(cluster);

        Assert.Equal(EndpointHealth.Degraded, cluster.Endpoints[1].CoarseHealth);
        Assert.Equal((2, 1), (cluster.Stats.HealthCheck.Healthy, cluster.Stats.HealthCheck.Degraded));
        // health = degraded = 140 × 1 / 2 = 70: the healthy load is 70, the degraded host gets what is left, 30.
        var priority = cluster.LoadBalancer.DescribeTraffic().Priorities[0];
        Assert.Equal((70, 30), (priority.HealthyLoad, priority.DegradedLoad));

        _probe.SetAll(cluster, HealthProbeResult.Healthy);
        Tick();

        Assert.Equal(EndpointHealth.Healthy, cluster.Endpoints[1].CoarseHealth);
        Assert.Equal(0, cluster.Stats.HealthCheck.Degraded);
    }

    [Fact] // A probe that never answers is cancelled at the timeout and counted as a network failure.
    public void HangingProbe_TimesOutOnTheInjectedClock()
    {
        var cluster = HealthTestCluster.Create(1, time: _time);
        _probe.SetAll(cluster, null);

        using var checker = Start(cluster);
        Assert.Equal(0, cluster.Stats.HealthCheck.Failures);
        _time.Advance(Config.Timeout);

        Assert.True(SpinWait.SpinUntil(() => cluster.Stats.HealthCheck.NetworkFailures == 1, TimeSpan.FromSeconds(5)));
        Assert.True(cluster.Endpoints[0].FailedActiveHealthCheck);
    }

    [Fact] // Envoy's no_traffic_interval: while the cluster has carried nothing, checks run at that slower pace.
    public void NoTrafficInterval_UntilTheClusterCarriesTraffic()
    {
        var cluster = HealthTestCluster.Create(1, time: _time);
        _probe.SetAll(cluster, HealthProbeResult.Healthy);
        using var checker = Start(cluster, Config with { NoTrafficInterval = TimeSpan.FromSeconds(60) });

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(1, _probe.Calls);
        cluster.Stats.RequestStarted();
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, _probe.Calls);
        _time.Advance(Config.Interval);

        Assert.Equal(3, _probe.Calls);
    }

    [Fact]
    public void InitialJitter_DelaysTheFirstCheck()
    {
        var cluster = HealthTestCluster.Create(1, time: _time);
        _probe.SetAll(cluster, HealthProbeResult.Healthy);
        using var checker = new ActiveHealthChecker(cluster, Config with { InitialJitter = TimeSpan.FromSeconds(1) }, _probe, _time, new ScriptedRandomFactory(300), NullLogger.Instance);

        checker.Start(null);
        _time.Advance(TimeSpan.FromMilliseconds(299));
        Assert.Equal(0, _probe.Calls);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(1, _probe.Calls);
    }

    [Fact]
    public void Dispose_StopsChecking()
    {
        var cluster = HealthTestCluster.Create(1, time: _time);
        _probe.SetAll(cluster, HealthProbeResult.Healthy);
        var checker = Start(cluster);

        checker.Dispose();
        Tick();

        Assert.Equal(1, _probe.Calls);
    }

    [Fact] // The reference arithmetic: P0 with 1 of 3 healthy has health 140 × 1 / 3 = 46, so 46% stays and 54% moves to P1.
    public void Transition_MovesPriorityLoadAtOnce()
    {
        var cluster = HealthTestCluster.Create(6, config => config with
        {
            Endpoints = config.Endpoints.Select((e, i) => e with { Priority = i < 3 ? 0 : 1 }).ToArray(),
        }, time: _time);
        _probe.SetAll(cluster, HealthProbeResult.Healthy);
        using var checker = Start(cluster);
        Assert.Equal(1.0, cluster.LoadBalancer.DescribeTraffic().Priorities[0].Share, 10);

        _probe.Set(cluster.Endpoints[0], HealthProbeResult.Failed);
        _probe.Set(cluster.Endpoints[1], HealthProbeResult.Failed);
        Tick();

        var traffic = cluster.LoadBalancer.DescribeTraffic();
        Assert.Equal(0.46, traffic.Priorities[0].Share, 10);
        Assert.Equal(0.54, traffic.Priorities[1].Share, 10);
    }

    [Fact] // successful_active_health_check_uneject_host: a passing check returns an ejected endpoint at once.
    public void PassingCheck_UnejectsOutlier()
    {
        var cluster = HealthTestCluster.Create(10, time: _time);
        using var detector = new OutlierDetector(cluster, OutlierDetectionConfig.Default, _time, new SeededRandomFactory(1), NullLogger.Instance);
        detector.Start(null);
        cluster.OutcomeObserver = detector;
        _probe.SetAll(cluster, HealthProbeResult.Healthy);
        using var checker = new ActiveHealthChecker(cluster, Config, _probe, _time, new SeededRandomFactory(1), NullLogger.Instance)
        {
            CheckPassed = detector.OnActiveHealthCheckPassed,
        };
        checker.Start(null);
        for (var i = 0; i < 5; i++)
        {
            cluster.OutcomeObserver.OnOutcome(cluster.Endpoints[4], EndpointOutcome.Response(503));
        }
        Assert.True(cluster.Endpoints[4].EjectedByOutlierDetection);

        Tick();

        Assert.False(cluster.Endpoints[4].EjectedByOutlierDetection);
        Assert.Equal(0, cluster.Stats.OutlierDetection.EjectionsActive);
    }

    [Fact] // A rebuilt cluster with the same check keeps each address's health instead of starting over as failing.
    public void Start_WithPreviousVersion_KeepsHealth()
    {
        var cluster = HealthTestCluster.Create(2, time: _time);
        _probe.SetAll(cluster, HealthProbeResult.Healthy);
        _probe.Set(cluster.Endpoints[1], HealthProbeResult.Failed);
        var first = Start(cluster);
        first.Dispose();

        var rebuilt = HealthTestCluster.Rebuild(cluster, _time);
        _probe.SetAll(rebuilt, null);
        using var second = new ActiveHealthChecker(rebuilt, Config, _probe, _time, new SeededRandomFactory(1), NullLogger.Instance);
        second.Start(first);

        Assert.False(rebuilt.Endpoints[0].FailedActiveHealthCheck);
        Assert.True(rebuilt.Endpoints[1].FailedActiveHealthCheck);
    }

    [Theory] // Envoy's HTTP result: expected statuses pass (200 only by default), others fail; x-envoy-degraded only on a pass.
    [InlineData(200, false, HealthProbeResult.Healthy)]
    [InlineData(200, true, HealthProbeResult.Degraded)]
    [InlineData(204, false, HealthProbeResult.Failed)]
    [InlineData(503, true, HealthProbeResult.Failed)]
    public void HttpClassify_DefaultStatuses(int status, bool degraded, HealthProbeResult expected)
    {
        using var probe = new HttpHealthProbe(new HttpHealthCheckConfig { Path = "/" }, new ClusterConfig { Name = "c" });

        Assert.Equal(expected, probe.Classify(status, degraded));
    }

    [Theory] // Ranges are half-open, as Envoy's Int64Range.
    [InlineData(200, HealthProbeResult.Healthy)]
    [InlineData(299, HealthProbeResult.Healthy)]
    [InlineData(300, HealthProbeResult.Failed)]
    [InlineData(404, HealthProbeResult.Healthy)]
    public void HttpClassify_ConfiguredRanges(int status, HealthProbeResult expected)
    {
        var config = new HttpHealthCheckConfig { Path = "/", ExpectedStatuses = new StatusRange[] { new(200, 300), new(404, 405) } };
        using var probe = new HttpHealthProbe(config, new ClusterConfig { Name = "c" });

        Assert.Equal(expected, probe.Classify(status, degradedHeader: false));
    }

    [Theory] // Envoy's TcpHealthCheckMatcher: every block, in order, anywhere after the previous one.
    [InlineData("PONG", true)]
    [InlineData("xxPOyyNGzz", true)]
    [InlineData("NGPO", false)]
    [InlineData("PO", false)]
    public void TcpMatches_BlocksInOrder(string received, bool expected)
    {
        var blocks = new[] { new MeshProxy.Utilities.EquatableArray<byte>("PO"u8.ToArray()), new MeshProxy.Utilities.EquatableArray<byte>("NG"u8.ToArray()) };

        Assert.Equal(expected, TcpHealthProbe.Matches(blocks, System.Text.Encoding.ASCII.GetBytes(received)));
    }

    private ActiveHealthChecker Start(ClusterState cluster, HealthCheckConfig? config = null)
    {
        var checker = new ActiveHealthChecker(cluster, config ?? Config, _probe, _time, new SeededRandomFactory(1), NullLogger.Instance);
        checker.Start(null);
        return checker;
    }

    private void Tick() => _time.Advance(Config.Interval);

    /// <summary>Answers each endpoint with the result set for its address; null hangs until cancelled.</summary>
    private sealed class ScriptedProbe : IHealthProbe
    {
        private readonly ConcurrentDictionary<IPEndPoint, HealthProbeResult?> _results = new();
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public void Set(EndpointState endpoint, HealthProbeResult? result) => _results[endpoint.Address] = result;

        public void SetAll(ClusterState cluster, HealthProbeResult? result)
        {
            foreach (var endpoint in cluster.Endpoints)
            {
                Set(endpoint, result);
            }
        }

        public async ValueTask<HealthProbeResult> CheckAsync(EndpointState endpoint, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            if (_results[endpoint.Address] is { } result)
            {
                return result;
            }
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }

        public void Dispose()
        {
        }
    }
}

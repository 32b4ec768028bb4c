using MeshProxy.Configuration;
using MeshProxy.Health;
using MeshProxy.Upstream;
using MeshProxy.Utilities;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace MeshProxy.Tests.Health;

/// <summary>
/// Envoy's outlier detection rule by rule (outlier_detection_impl.cc), on a fake clock: consecutive counters, the
/// max-ejection-percent gate, enforcing draws, ejection time growth, cap and decay, success rate and failure percentage.
/// </summary>
public sealed class OutlierDetectorTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Config_Defaults_AreEnvoys()
    {
        var d = OutlierDetectionConfig.Default;

        Assert.Equal((5, 5, 5), (d.Consecutive5xx, d.ConsecutiveGatewayFailure, d.ConsecutiveLocalOriginFailure));
        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(300)), (d.Interval, d.BaseEjectionTime, d.EffectiveMaxEjectionTime));
        Assert.Equal(TimeSpan.Zero, d.MaxEjectionTimeJitter);
        Assert.Equal((10, false), (d.MaxEjectionPercent, d.AlwaysEjectOneHost));
        Assert.Equal((100, 0, 100), (d.EnforcingConsecutive5xx, d.EnforcingConsecutiveGatewayFailure, d.EnforcingConsecutiveLocalOriginFailure));
        Assert.Equal((100, 100), (d.EnforcingSuccessRate, d.EnforcingLocalOriginSuccessRate));
        Assert.Equal((5, 100, 1900), (d.SuccessRateMinimumHosts, d.SuccessRateRequestVolume, d.SuccessRateStdevFactor));
        Assert.Equal((85, 0, 0, 5, 50), (d.FailurePercentageThreshold, d.EnforcingFailurePercentage, d.EnforcingFailurePercentageLocalOrigin,
            d.FailurePercentageMinimumHosts, d.FailurePercentageRequestVolume));
        Assert.False(d.SplitExternalLocalOriginErrors);
        Assert.True(d.SuccessfulActiveHealthCheckUnejectHost);
    }

    [Fact] // max_ejection_time defaults to base_ejection_time when that is longer than 300s.
    public void EffectiveMaxEjectionTime_LongBase_IsBase()
    {
        Assert.Equal(TimeSpan.FromSeconds(400), new OutlierDetectionConfig { BaseEjectionTime = TimeSpan.FromSeconds(400) }.EffectiveMaxEjectionTime);
    }

    [Fact] // ++consecutive_5xx == threshold: the fifth 5xx ejects, not the fourth.
    public void Consecutive5xx_FiresWhenCountEqualsThreshold()
    {
        var cluster = HealthTestCluster.Create(10, time: _time);
        Start(cluster, OutlierDetectionConfig.Default);

        Respond(cluster, 0, 500, times: 4);
        Assert.False(cluster.Endpoints[0].EjectedByOutlierDetection);
        Respond(cluster, 0, 500);

        Assert.True(cluster.Endpoints[0].EjectedByOutlierDetection);
        var stats = cluster.Stats.OutlierDetection;
        Assert.Equal((1, 1, 1, 1), (stats.Detected(OutlierEjectionType.Consecutive5xx), stats.Enforced(OutlierEjectionType.Consecutive5xx), stats.EjectionsEnforcedTotal, stats.EjectionsActive));
    }

    [Fact]
    public void Consecutive5xx_SuccessInBetween_StartsOver()
    {
        var cluster = HealthTestCluster.Create(10, time: _time);
        Start(cluster, OutlierDetectionConfig.Default);

        Respond(cluster, 0, 503, times: 4);
        Respond(cluster, 0, 404);
        Respond(cluster, 0, 503, times: 4);

        Assert.False(cluster.Endpoints[0].EjectedByOutlierDetection);
        Assert.Equal(0, cluster.Stats.OutlierDetection.Detected(OutlierEjectionType.Consecutive5xx));
    }

    [Fact] // A detection refreshes the loads at once: the ejected endpoint is never picked again.
    public void Ejection_RefreshesLoadsAtOnce()
    {
        var cluster = HealthTestCluster.Create(10, time: _time);
        Start(cluster, OutlierDetectionConfig.Default);

        Respond(cluster, 3, 500, times: 5);

        var random = new Random(7);
        for (var i = 0; i < 1000; i++)
        {
            Assert.NotSame(cluster.Endpoints[3], cluster.PickEndpoint(random));
        }
    }

    [Fact] // Gateway failures are detected by default but enforcing_consecutive_gateway_failure is 0.
    public void ConsecutiveGatewayFailure_Default_DetectedNotEnforced()
    {
        var cluster = HealthTestCluster.Create(10, time: _time);
        Start(cluster, OutlierDetectionConfig.Default with { Consecutive5xx = 100 });

        Respond(cluster, 0, 502, times: 5);

        Assert.False(cluster.Endpoints[0].EjectedByOutlierDetection);
        Assert.Equal(1, cluster.Stats.OutlierDetection.Detected(OutlierEjectionType.ConsecutiveGatewayFailure));
        Assert.Equal(0, cluster.Stats.OutlierDetection.Enforced(OutlierEjectionType.ConsecutiveGatewayFailure));
    }

    [Fact] // A 5xx that is not 502/503/504 resets the gateway counter (consecutive 5xx off here: 0 never fires).
    public void ConsecutiveGatewayFailure_Other5xxResetsOnlyGatewayCounter()
    {
        var cluster = HealthTestCluster.Create(10, time: _time);
        Start(cluster, OutlierDetectionConfig.Default with { Consecutive5xx = 0, EnforcingConsecutiveGatewayFailure = 100 });

        Respond(cluster, 0, 504, times: 4);
        Respond(cluster, 0, 500);
        Respond(cluster, 0, 504, times: 4);
        Assert.False(cluster.Endpoints[0].EjectedByOutlierDetection);
        Respond(cluster, 0, 504);

        Assert.True(cluster.Endpoints[0].EjectedByOutlierDetection);
        Assert.Equal(1, cluster.Stats.OutlierDetection.Enforced(OutlierEjectionType.ConsecutiveGatewayFailure));
    }

    [Theory] // Without split, a connect failure or reset counts as 503 and a timeout as 504.
    [InlineData(LocalOriginFailure.ConnectFailed)]
    [InlineData(LocalOriginFailure.Reset)]
    [InlineData(LocalOriginFailure.Timeout)]
    public void LocalOriginFailure_NotSplit_CountsAsGateway5xx(LocalOriginFailure failure)
    {
        var cluster = HealthTestCluster.Create(10, time: _time);
        Start(cluster, OutlierDetectionConfig.Default);

        for (var i = 0; i < 5; i++)
        {
            cluster.OutcomeObserver.OnOutcome(cluster.Endpoints[0], EndpointOutcome.Failure(failure));
        }

        var stats = cluster.Stats.OutlierDetection;
        Assert.True(cluster.Endpoints[0].EjectedByOutlierDetection);
        Assert.Equal(1, stats.Enforced(OutlierEjectionType.Consecutive5xx));
        Assert.Equal(1, stats.Detected(OutlierEjectionType.ConsecutiveGatewayFailure));
    }

    [Fact] // Split: local-origin failures have their own counter; an answer (even a 5xx) proves the connection and resets it.
    public void LocalOriginFailure_Split_OwnCounterResetByAnyAnswer()
    {
        var cluster = HealthTestCluster.Create(10, time: _time);
        Start(cluster, OutlierDetectionConfig.Default with { SplitExternalLocalOriginErrors = true });
        var endpoint = cluster.Endpoints[0];

        Fail(cluster, 0, LocalOriginFailure.ConnectFailed, times: 4);
        Respond(cluster, 0, 500);
        Fail(cluster, 0, LocalOriginFailure.ConnectFailed, times: 4);
        Assert.False(endpoint.EjectedByOutlierDetection);
        Fail(cluster, 0, LocalOriginFailure.Timeout);

        var stats = cluster.Stats.OutlierDetection;
        Assert.True(endpoint.EjectedByOutlierDetection);
        Assert.Equal(1, stats.Enforced(OutlierEjectionType.ConsecutiveLocalOriginFailure));
        Assert.Equal(0, stats.Detected(OutlierEjectionType.Consecutive5xx));
    }

    [Theory] // The reference table: 100 × (ejected + 1) / hosts ≤ 10 (Envoy ≥ 1.27), so fewer than 10 hosts eject none.
    [InlineData(1, 0)]
    [InlineData(3, 0)]
    [InlineData(5, 0)]
    [InlineData(9, 0)]
    [InlineData(10, 1)]
    [InlineData(11, 1)]
    [InlineData(19, 1)]
    [InlineData(20, 2)]
    [InlineData(25, 2)]
    [InlineData(30, 3)]
    [InlineData(100, 10)]
    public void MaxEjectionPercent_Default_LimitsEjections(int hosts, int ejectable)
    {
        var cluster = HealthTestCluster.Create(hosts, time: _time);
        Start(cluster, OutlierDetectionConfig.Default);

        for (var i = 0; i < hosts; i++)
        {
            Respond(cluster, i, 500, times: 5);
        }

        var stats = cluster.Stats.OutlierDetection;
        Assert.Equal(ejectable, cluster.Endpoints.Count(e => e.EjectedByOutlierDetection));
        Assert.Equal(ejectable, stats.EjectionsActive);
        Assert.Equal(hosts - ejectable, stats.EjectionsOverflow);
        Assert.Equal(hosts, stats.Detected(OutlierEjectionType.Consecutive5xx));
    }

    [Theory] // always_eject_one_host: one ejection is allowed whatever the percent, but only while none is active.
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(9)]
    public void AlwaysEjectOneHost_SmallCluster_EjectsExactlyOne(int hosts)
    {
        var cluster = HealthTestCluster.Create(hosts, time: _time);
        Start(cluster, OutlierDetectionConfig.Default with { AlwaysEjectOneHost = true });

        for (var i = 0; i < hosts; i++)
        {
            Respond(cluster, i, 500, times: 5);
        }

        Assert.Equal(1, cluster.Endpoints.Count(e => e.EjectedByOutlierDetection));
        Assert.Equal(hosts - 1, cluster.Stats.OutlierDetection.EjectionsOverflow);
    }

    [Fact] // 20 hosts allow 2 ejections; always_eject_one_host adds nothing once one is active.
    public void AlwaysEjectOneHost_LargeCluster_PercentStillApplies()
    {
        var cluster = HealthTestCluster.Create(20, time: _time);
        Start(cluster, OutlierDetectionConfig.Default with { AlwaysEjectOneHost = true });

        for (var i = 0; i < 5; i++)
        {
            Respond(cluster, i, 500, times: 5);
        }

        Assert.Equal(2, cluster.Endpoints.Count(e => e.EjectedByOutlierDetection));
    }

    [Fact] // featureEnabled: a detection is enforced when random % 100 < enforcing percent.
    public void Enforcing_DrawsFromInjectedRandom()
    {
        var cluster = HealthTestCluster.Create(10, time: _time);
        Start(cluster, OutlierDetectionConfig.Default with { EnforcingConsecutive5xx = 50 }, new ScriptedRandomFactory(70, 49));

        Respond(cluster, 0, 500, times: 5); // draw 70: not enforced, counter reset
        Assert.False(cluster.Endpoints[0].EjectedByOutlierDetection);
        Respond(cluster, 0, 500, times: 5); // draw 49: enforced

        var stats = cluster.Stats.OutlierDetection;
        Assert.True(cluster.Endpoints[0].EjectedByOutlierDetection);
        Assert.Equal((2, 1), (stats.Detected(OutlierEjectionType.Consecutive5xx), stats.Enforced(OutlierEjectionType.Consecutive5xx)));
    }

    [Fact] // Unejection only on interval ticks: ejected at 5s for 30s, back at the 40s tick (35s later), not at 35s.
    public void Unejection_OnlyOnIntervalTicks()
    {
        var cluster = HealthTestCluster.Create(10, time: _time);
        Start(cluster, OutlierDetectionConfig.Default);
        var half = Interval / 2;
        _time.Advance(half);
        Respond(cluster, 0, 500, times: 5);

        _time.Advance(half); // the 10s tick
        Tick(); // 20s
        Tick(); // 30s: 25s elapsed
        Assert.True(cluster.Endpoints[0].EjectedByOutlierDetection);
        Tick(); // 40s: 35s elapsed ≥ 30s

        Assert.False(cluster.Endpoints[0].EjectedByOutlierDetection);
        Assert.Equal(0, cluster.Stats.OutlierDetection.EjectionsActive);
    }

    [Fact] // Ejected again before decaying: 30s, 60s, 90s, then capped at max (90s here); backoff stops growing at max/base + 1.
    public void EjectionTime_GrowsWithEachEjection_CappedAtMax()
    {
        var cluster = HealthTestCluster.Create(10, time: _time);
        Start(cluster, OutlierDetectionConfig.Default with { MaxEjectionTime = TimeSpan.FromSeconds(90) });

        Assert.Equal([30, 60, 90, 90, 90], Enumerable.Range(0, 5).Select(_ => EjectAndMeasure(cluster, 0)).ToArray());
    }

    [Fact] // After unejection, each whole healthy interval takes one off the backoff (Envoy ≥ 1.28: after the sweep).
    public void EjectionTime_DecaysByOnePerHealthyInterval()
    {
        var cluster = HealthTestCluster.Create(10, time: _time);
        Start(cluster, OutlierDetectionConfig.Default);

        Assert.Equal(30, EjectAndMeasure(cluster, 0));
        Assert.Equal(60, EjectAndMeasure(cluster, 0));
        Assert.Equal(90, EjectAndMeasure(cluster, 0)); // backoff 3
        Tick(); // one whole interval healthy: 2
        Assert.Equal(90, EjectAndMeasure(cluster, 0)); // 2 + 1
        Tick();
        Tick(); // two intervals: 1
        Assert.Equal(60, EjectAndMeasure(cluster, 0));
        for (var i = 0; i < 5; i++)
        {
            Tick(); // decays to 0 and stays there
        }
        Assert.Equal(30, EjectAndMeasure(cluster, 0));
    }

    [Fact] // While ejected, more errors are ignored; unejection resets the counters, so it takes five new ones.
    public void Unejection_ResetsConsecutiveCounters()
    {
        var cluster = HealthTestCluster.Create(10, time: _time);
        Start(cluster, OutlierDetectionConfig.Default with { BaseEjectionTime = Interval });
        Respond(cluster, 0, 500, times: 5);
        Respond(cluster, 0, 500, times: 3);
        Tick();
        Assert.False(cluster.Endpoints[0].EjectedByOutlierDetection);

        Respond(cluster, 0, 500, times: 4);
        Assert.False(cluster.Endpoints[0].EjectedByOutlierDetection);
        Respond(cluster, 0, 500);

        Assert.True(cluster.Endpoints[0].EjectedByOutlierDetection);
        Assert.Equal(2, cluster.Stats.OutlierDetection.Detected(OutlierEjectionType.Consecutive5xx));
    }

    [Fact]
    public void SuccessRateThreshold_ReferenceExample_Is52()
    {
        var (mean, threshold) = OutlierDetector.SuccessRateThreshold([50, 100, 100, 100, 100], 1.9);

        Assert.Equal(90, mean, 9);
        Assert.Equal(52, threshold, 9);
    }

    [Fact] // The reference example end to end: rates {50,100,100,100,100} over 100 requests each → threshold 52 → host 0 out.
    public void SuccessRate_ReferenceExample_EjectsThe50PercentHost()
    {
        var cluster = HealthTestCluster.Create(5, time: _time);
        Start(cluster, SweepOnly(OutlierDetectionConfig.Default with { MaxEjectionPercent = 20 }));
        SendWithSuccessRate(cluster, [50, 100, 100, 100, 100], volume: 100);

        Tick();

        Assert.True(cluster.Endpoints[0].EjectedByOutlierDetection);
        Assert.All(cluster.Endpoints.Skip(1), e => Assert.False(e.EjectedByOutlierDetection));
        Assert.Equal(1, cluster.Stats.OutlierDetection.Enforced(OutlierEjectionType.SuccessRate));
    }

    [Theory] // Too little volume on one host leaves fewer than the minimum hosts, so nobody is judged.
    [InlineData(99, 5)]
    [InlineData(100, 6)]
    public void SuccessRate_BelowVolumeOrMinimumHosts_NotJudged(int volume, int minimumHosts)
    {
        var cluster = HealthTestCluster.Create(5, time: _time);
        Start(cluster, SweepOnly(OutlierDetectionConfig.Default with { MaxEjectionPercent = 20, SuccessRateMinimumHosts = minimumHosts }));
        SendWithSuccessRate(cluster, [50, 100, 100, 100, 100], volume);

        Tick();

        Assert.All(cluster.Endpoints, e => Assert.False(e.EjectedByOutlierDetection));
        Assert.Equal(0, cluster.Stats.OutlierDetection.Detected(OutlierEjectionType.SuccessRate));
    }

    [Fact] // Requests count toward the interval they were made in: a second tick without requests judges nothing.
    public void SuccessRate_OnlyTheLastIntervalCounts()
    {
        var cluster = HealthTestCluster.Create(5, time: _time);
        Start(cluster, SweepOnly(OutlierDetectionConfig.Default with { MaxEjectionPercent = 20, EnforcingSuccessRate = 0 }));
        SendWithSuccessRate(cluster, [50, 100, 100, 100, 100], volume: 100);

        Tick();
        Tick();

        Assert.Equal(1, cluster.Stats.OutlierDetection.Detected(OutlierEjectionType.SuccessRate));
    }

    [Fact] // Failure percentage: failing ≥ 85% with ≥ 50 requests is detected; enforcing_failure_percentage defaults to 0.
    public void FailurePercentage_DefaultNotEnforced_WhenEnforcedEjects()
    {
        var quiet = HealthTestCluster.Create(5, time: _time);
        Start(quiet, SweepOnly(OutlierDetectionConfig.Default with { MaxEjectionPercent = 20, SuccessRateMinimumHosts = 100 }));
        var enforced = HealthTestCluster.Create(5, time: _time);
        Start(enforced, SweepOnly(OutlierDetectionConfig.Default with { MaxEjectionPercent = 20, SuccessRateMinimumHosts = 100, EnforcingFailurePercentage = 100 }));
        SendWithSuccessRate(quiet, [10, 100, 100, 100, 100], volume: 50);
        SendWithSuccessRate(enforced, [15, 20, 100, 100, 100], volume: 50);

        Tick();

        Assert.Equal(1, quiet.Stats.OutlierDetection.Detected(OutlierEjectionType.FailurePercentage));
        Assert.False(quiet.Endpoints[0].EjectedByOutlierDetection);
        Assert.True(enforced.Endpoints[0].EjectedByOutlierDetection); // 85% failed: ≥ 85
        Assert.False(enforced.Endpoints[1].EjectedByOutlierDetection); // 80% failed
    }

    [Fact] // Split mode: connection failures feed their own success rate, judged as local_origin_success_rate.
    public void LocalOriginSuccessRate_Split_EjectsOnConnectionFailures()
    {
        var cluster = HealthTestCluster.Create(5, time: _time);
        Start(cluster, OutlierDetectionConfig.Default with { MaxEjectionPercent = 20, SplitExternalLocalOriginErrors = true, ConsecutiveLocalOriginFailure = 1000 });
        for (var i = 0; i < 5; i++)
        {
            for (var r = 0; r < 100; r++)
            {
                if (i == 0 && r % 2 == 0)
                {
                    Fail(cluster, i, LocalOriginFailure.ConnectFailed);
                }
                else
                {
                    Respond(cluster, i, 200);
                }
            }
        }

        Tick();

        Assert.True(cluster.Endpoints[0].EjectedByOutlierDetection);
        Assert.Equal(1, cluster.Stats.OutlierDetection.Enforced(OutlierEjectionType.LocalOriginSuccessRate));
        Assert.Equal(0, cluster.Stats.OutlierDetection.Detected(OutlierEjectionType.SuccessRate));
    }

    [Theory] // successful_active_health_check_uneject_host (default true) returns an ejected host on a passing check.
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void ActiveHealthCheckPassed_UnejectsWhenConfigured(bool uneject, bool stillEjected)
    {
        var cluster = HealthTestCluster.Create(10, time: _time);
        var detector = Start(cluster, OutlierDetectionConfig.Default with { SuccessfulActiveHealthCheckUnejectHost = uneject });
        Respond(cluster, 0, 500, times: 5);

        detector.OnActiveHealthCheckPassed(cluster.Endpoints[0]);

        Assert.Equal(stillEjected, cluster.Endpoints[0].EjectedByOutlierDetection);
        Assert.Equal(stillEjected ? 1 : 0, cluster.Stats.OutlierDetection.EjectionsActive);
    }

    [Fact] // A rebuilt cluster with the same outlier section keeps each address's ejection and backoff.
    public void Start_WithPreviousVersion_ContinuesEjections()
    {
        var cluster = HealthTestCluster.Create(10, time: _time);
        var first = Start(cluster, OutlierDetectionConfig.Default);
        Respond(cluster, 2, 500, times: 5);
        first.Dispose();

        var rebuilt = HealthTestCluster.Rebuild(cluster, _time);
        var second = new OutlierDetector(rebuilt, OutlierDetectionConfig.Default, _time, new SeededRandomFactory(1), NullLogger.Instance);
        second.Start(first);

        Assert.True(rebuilt.Endpoints[2].EjectedByOutlierDetection);
        Assert.Equal(1, rebuilt.Stats.OutlierDetection.EjectionsActive);
        var random = new Random(3);
        Assert.All(Enumerable.Range(0, 200), _ => Assert.NotSame(rebuilt.Endpoints[2], rebuilt.PickEndpoint(random)));
    }

    private OutlierDetector Start(ClusterState cluster, OutlierDetectionConfig config, IRandomFactory? random = null)
    {
        var detector = new OutlierDetector(cluster, config with { Interval = Interval }, _time, random ?? new SeededRandomFactory(1), NullLogger.Instance);
        detector.Start(null);
        cluster.OutcomeObserver = detector;
        return detector;
    }

    private void Tick() => _time.Advance(Interval);

    /// <summary>Ejects endpoint <paramref name="index"/> now and returns how many whole seconds it stayed out (ticks of 10s).</summary>
    private int EjectAndMeasure(ClusterState cluster, int index)
    {
        Respond(cluster, index, 500, times: 5);
        Assert.True(cluster.Endpoints[index].EjectedByOutlierDetection);
        var ticks = 0;
        while (cluster.Endpoints[index].EjectedByOutlierDetection && ticks < 100)
        {
            Tick();
            ticks++;
        }
        return ticks * (int)Interval.TotalSeconds;
    }

    private static void Respond(ClusterState cluster, int index, int status, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            cluster.OutcomeObserver.OnOutcome(cluster.Endpoints[index], EndpointOutcome.Response(status));
        }
    }

    private static void Fail(ClusterState cluster, int index, LocalOriginFailure failure, int times = 1)
    {
        for (var i = 0; i < times; i++)
        {
            cluster.OutcomeObserver.OnOutcome(cluster.Endpoints[index], EndpointOutcome.Failure(failure));
        }
    }

    /// <summary>Sends <paramref name="volume"/> answers to each endpoint: the given percent 200, the rest 500 (consecutive rules off).</summary>
    private static void SendWithSuccessRate(ClusterState cluster, int[] successPercent, int volume)
    {
        for (var i = 0; i < successPercent.Length; i++)
        {
            var failures = volume - volume * successPercent[i] / 100;
            Respond(cluster, i, 500, failures);
            Respond(cluster, i, 200, volume - failures);
        }
    }

    /// <summary>Success-rate tests turn the consecutive rules off, so only the interval sweep can eject.</summary>
    private static OutlierDetectionConfig SweepOnly(OutlierDetectionConfig config) => config with { Consecutive5xx = 0, ConsecutiveGatewayFailure = 0 };
}

using MeshProxy.Configuration;
using MeshProxy.LoadBalancing;
using Xunit;
using static MeshProxy.Tests.LoadBalancing.TestEndpoints;

namespace MeshProxy.Tests.LoadBalancing;

/// <summary>
/// Every row of Envoy's priority, panic and degraded doc tables (envoy-semantics.md §1.4), asserting what Envoy's
/// code computes where the docs disagree (⚠ 5%/65% → 8/92, three levels 25/25/20 → 34/33/33 or 37/35/28).
/// Percentages mean "x of 100 hosts".
/// </summary>
public sealed class PriorityLoadCalculatorTests
{
    [Theory] // Table P1: two levels, P1 100% healthy.
    [InlineData(100, 100, 0)]
    [InlineData(72, 100, 0)]
    [InlineData(71, 99, 1)]
    [InlineData(50, 70, 30)]
    [InlineData(25, 35, 65)]
    [InlineData(0, 0, 100)]
    public void Compute_TableP1TwoLevels_MatchesEnvoy(int p0Healthy, int toP0, int toP1)
    {
        var loads = Loads(50, Percent(0, p0Healthy), Percent(1, 100));

        Assert.Equal([toP0, toP1], loads.HealthyLoad);
        Assert.Equal([0, 0], loads.DegradedLoad);
    }

    [Theory] // Table P2: both levels degrade; the last row is a total panic split by host count.
    [InlineData(100, 100, 100, 0, false)]
    [InlineData(72, 72, 100, 0, false)]
    [InlineData(71, 71, 99, 1, false)]
    [InlineData(50, 50, 70, 30, false)]
    [InlineData(25, 100, 35, 65, false)]
    [InlineData(25, 25, 50, 50, true)]
    public void Compute_TableP2BothLevelsDegrade_MatchesEnvoy(int p0Healthy, int p1Healthy, int toP0, int toP1, bool totalPanic)
    {
        var loads = Loads(50, Percent(0, p0Healthy), Percent(1, p1Healthy));

        Assert.Equal([toP0, toP1], loads.HealthyLoad);
        Assert.Equal(totalPanic, loads.TotalPanic);
    }

    [Fact] // Table P2's last row with panic disabled: 35 × 100 / 70 = 50 each, no panic.
    public void Compute_TableP2LastRowPanicDisabled_FiftyFiftyWithoutPanic()
    {
        var loads = Loads(0, Percent(0, 25), Percent(1, 25));

        Assert.Equal([50, 50], loads.HealthyLoad);
        Assert.Equal([false, false], loads.Panic);
        Assert.Equal(70, loads.NormalizedTotalAvailability);
    }

    [Fact] // Table P2's worked example: healths {20, 30}, NTA 50 → {40, 60}; panic off so that both levels count.
    public void Compute_TableP2HealthExample_SplitsFortySixty()
    {
        // 140 × 14.29% → 20 needs 1/7 healthy; 140 × 3/14 = 30.
        var loads = Loads(0, Create(7, healthy: 1, priority: 0), Create(14, healthy: 3, priority: 1));

        Assert.Equal([20, 30], loads.Health);
        Assert.Equal(50, loads.NormalizedTotalAvailability);
        Assert.Equal([40, 60], loads.HealthyLoad);
    }

    [Theory] // Table P3: three levels, with the default panic threshold (50) and with panic disabled (0).
    [InlineData(100, 100, 100, 50, 100, 0, 0)]
    [InlineData(72, 72, 100, 50, 100, 0, 0)]
    [InlineData(71, 71, 100, 50, 99, 1, 0)]
    [InlineData(50, 50, 100, 50, 70, 30, 0)]
    [InlineData(25, 100, 100, 50, 35, 65, 0)]
    [InlineData(25, 25, 100, 50, 35, 35, 30)]
    [InlineData(25, 25, 20, 50, 34, 33, 33)] // ⚠ docs 36/36/28: all three levels panic, so the split is by host count.
    [InlineData(100, 100, 100, 0, 100, 0, 0)]
    [InlineData(72, 72, 100, 0, 100, 0, 0)]
    [InlineData(71, 71, 100, 0, 99, 1, 0)]
    [InlineData(50, 50, 100, 0, 70, 30, 0)]
    [InlineData(25, 100, 100, 0, 35, 65, 0)]
    [InlineData(25, 25, 100, 0, 35, 35, 30)]
    [InlineData(25, 25, 20, 0, 37, 35, 28)] // ⚠ docs 36/36/28: 35/35/28 of NTA 98, remainder 2 to P0.
    public void Compute_TableP3ThreeLevels_MatchesEnvoyCode(int p0, int p1, int p2, int panicThreshold, int toP0, int toP1, int toP2)
    {
        var loads = Loads(panicThreshold, Percent(0, p0), Percent(1, p1), Percent(2, p2));

        Assert.Equal([toP0, toP1, toP2], loads.HealthyLoad);
    }

    [Theory] // Panic table A: P1 100% healthy, threshold 50: no level is ever in panic, NTA stays 100.
    [InlineData(72, 100, 0)]
    [InlineData(71, 99, 1)]
    [InlineData(50, 70, 30)]
    [InlineData(25, 35, 65)]
    [InlineData(0, 0, 100)]
    public void Compute_PanicTableA_NoLevelInPanic(int p0Healthy, int toP0, int toP1)
    {
        var loads = Loads(50, Percent(0, p0Healthy), Percent(1, 100));

        Assert.Equal([toP0, toP1], loads.HealthyLoad);
        Assert.Equal([false, false], loads.Panic);
        Assert.Equal(100, loads.NormalizedTotalAvailability);
    }

    [Theory] // Panic table B: P1 degrades too.
    [InlineData(72, 72, 100, false, 0, false, 100)]
    [InlineData(71, 71, 99, false, 1, false, 100)]
    [InlineData(50, 60, 70, false, 30, false, 100)]
    [InlineData(25, 100, 35, false, 65, false, 100)]
    [InlineData(25, 25, 50, true, 50, true, 70)]
    [InlineData(5, 65, 8, true, 92, false, 98)] // ⚠ docs 7/93: 7 + 92 of NTA 98, remainder 1 to P0.
    public void Compute_PanicTableB_MatchesEnvoyCode(int p0Healthy, int p1Healthy, int toP0, bool p0Panic, int toP1, bool p1Panic, int normalizedTotal)
    {
        var loads = Loads(50, Percent(0, p0Healthy), Percent(1, p1Healthy));

        Assert.Equal([toP0, toP1], loads.HealthyLoad);
        Assert.Equal([p0Panic, p1Panic], loads.Panic);
        Assert.Equal(normalizedTotal, loads.NormalizedTotalAvailability);
    }

    [Theory] // Degraded table: one level; degraded hosts only take what the healthy ones cannot.
    [InlineData(100, 0, 100, 0, false)]
    [InlineData(71, 0, 100, 0, false)]
    [InlineData(71, 29, 99, 1, false)]
    [InlineData(25, 65, 35, 65, false)]
    [InlineData(5, 0, 100, 0, true)]
    public void Compute_DegradedTable_MatchesEnvoy(int healthy, int degraded, int toHealthy, int toDegraded, bool panic)
    {
        var loads = Loads(50, Percent(0, healthy, degraded));

        Assert.Equal([toHealthy], loads.HealthyLoad);
        Assert.Equal([toDegraded], loads.DegradedLoad);
        Assert.Equal([panic], loads.Panic);
    }

    [Fact] // The panic doc's example: 2 hosts in P0 and 8 in P1, all down → 20% / 80%.
    public void Compute_TotalPanic_SplitsByHostCount()
    {
        var loads = Loads(50, Create(2, healthy: 0, priority: 0), Create(8, healthy: 0, priority: 1));

        Assert.True(loads.TotalPanic);
        Assert.Equal([20, 80], loads.HealthyLoad);
        Assert.Equal([0, 0], loads.DegradedLoad);
    }

    [Fact] // recalculateLoadInTotalPanic counts every host, excluded ones included; the remainder goes to the first non-empty level.
    public void Compute_TotalPanicWithExcludedHosts_CountsThemInTheSplit()
    {
        var p0 = Create(1, healthy: 0, priority: 0);
        var p1 = Create(2, healthy: 0, priority: 1);
        p1[0].Excluded = true;

        var loads = Loads(50, p0, p1);

        Assert.Equal([34, 66], loads.HealthyLoad); // 100/3 = 33 and 200/3 = 66, remainder 1 to P0.
    }

    [Fact]
    public void Compute_NoEndpoints_GivesP0EverythingInPanic()
    {
        var loads = Loads(50);

        Assert.Equal([100], loads.HealthyLoad);
        Assert.True(loads.TotalPanic);
    }

    [Fact] // Excluded hosts leave the health denominator: 1 healthy of 2 counted (3 excluded) is 70, not 28.
    public void Compute_ExcludedHosts_LeaveTheDenominator()
    {
        var hosts = Create(5, healthy: 1);
        foreach (var host in hosts[2..])
        {
            host.Excluded = true;
        }

        var loads = Loads(50, hosts);

        Assert.Equal([70], loads.Health);
        Assert.Equal([false], loads.Panic);
    }

    [Fact]
    public void Compute_AllHostsExcluded_IsInPanic()
    {
        var hosts = Create(3);
        foreach (var host in hosts)
        {
            host.Excluded = true;
        }

        var loads = Loads(50, hosts);

        Assert.Equal([0], loads.Health);
        Assert.True(loads.TotalPanic);
    }

    [Fact] // With weights, 1 healthy host of weight 3 among 4 hosts of weight 1 is 140 × 3 / 6 = 70, not 140 × 1 / 4 = 35.
    public void Compute_WeightedPriorityHealth_UsesWeights()
    {
        var heavy = Create(1, weight: 3);
        var light = Create(3, healthy: 0);
        var config = new LoadBalancerConfig { WeightedPriorityHealth = true };

        var weighted = PriorityLoadCalculator.Compute(PrioritySetBuilder.Build([.. heavy, .. light], config, LocalityConfig.None), 140, 50, true);
        var counted = Loads(50, heavy, light);

        Assert.Equal([70], weighted.Health);
        Assert.Equal([35], counted.Health);
    }

    [Fact] // A factor of 100 means no headroom: 90% healthy P0 keeps only 90%.
    public void Compute_OverprovisioningFactor100_NoHeadroom()
    {
        var set = PrioritySetBuilder.Build([.. Percent(0, 90), .. Percent(1, 100)], LoadBalancerConfig.Default, LocalityConfig.None);

        var loads = PriorityLoadCalculator.Compute(set, overprovisioningFactor: 100, panicThreshold: 50, weightedPriorityHealth: false);

        Assert.Equal([90, 10], loads.HealthyLoad);
    }

    [Fact] // A gap in configured priorities leaves an empty level that takes nothing.
    public void Compute_EmptyMiddlePriority_TakesNothing()
    {
        var loads = Loads(50, Percent(0, 50), Percent(2, 100));

        Assert.Equal([70, 0, 30], loads.HealthyLoad);
        Assert.Equal([false, false, false], loads.Panic);
    }

    private static PriorityLoads Loads(int panicThreshold, params Upstream.EndpointState[][] levels)
    {
        var set = PrioritySetBuilder.Build(levels.SelectMany(l => l).ToArray(), WithPanic(panicThreshold), LocalityConfig.None);
        return PriorityLoadCalculator.Compute(set, 140, panicThreshold, weightedPriorityHealth: false);
    }
}

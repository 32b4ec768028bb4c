using MeshProxy.Configuration;
using MeshProxy.LoadBalancing;
using Xunit;
using static MeshProxy.Tests.LoadBalancing.ClusterLoadBalancerTests;
using static MeshProxy.Tests.LoadBalancing.TestEndpoints;

namespace MeshProxy.Tests.LoadBalancing;

/// <summary>
/// Envoy's locality_weight.rst Table L: locality X weight 1, Y weight 2, Y fully available; the exact shares are
/// effective weight / Σ (doubles, as effectiveLocalityWeight), and sampled picks agree within 0.5 percentage points.
/// </summary>
public sealed class LocalitySchedulerTests
{
    private const int Samples = 30_000;

    [Theory]
    [InlineData(100, 0.333333)]
    [InlineData(70, 0.328859)]
    [InlineData(69, 0.325691)]
    [InlineData(50, 0.259259)]
    [InlineData(25, 0.148936)]
    [InlineData(0, 0.0)]
    public void Pick_TableL_MatchesEffectiveWeights(int xHealthyPercent, double xShare)
    {
        // Locality weight = the sum of its endpoint weights: 100 × 1 for X, 100 × 2 for Y.
        var x = Create(100, healthy: xHealthyPercent, locality: Zone("x"), weight: 1);
        var y = Create(100, locality: Zone("y"), weight: 2);
        var balancer = Balancer([.. x, .. y], new LoadBalancerConfig { LocalityLb = LocalityLbMode.LocalityWeighted });

        var report = balancer.DescribeTraffic();
        var sampled = Sample(balancer, Samples);

        var exactX = report.Priorities[0].Localities.Single(l => l.Locality == Zone("x")).Share;
        Assert.Equal(xShare, exactX, 5);
        Assert.Equal(1 - xShare, report.Priorities[0].Localities.Single(l => l.Locality == Zone("y")).Share, 5);
        Assert.Equal(xShare, Share(sampled, x, Samples), 0.005);
    }

    [Fact]
    public void EffectiveWeight_NoCountedHosts_IsZero()
    {
        Assert.Equal(0.0, LocalityScheduler.EffectiveWeight(5, 0, 0, 140));
        Assert.Equal(5.0, LocalityScheduler.EffectiveWeight(5, 3, 4, 140)); // 1.4 × 0.75 > 1
    }

    [Fact] // Degraded picks use a separate schedule over degraded hosts per locality.
    public void Pick_DegradedLocalities_FollowDegradedWeights()
    {
        var x = Create(10, healthy: 0, degraded: 10, locality: Zone("x"));
        var y = Create(10, healthy: 0, degraded: 5, locality: Zone("y"));
        var balancer = Balancer([.. x, .. y], new LoadBalancerConfig { LocalityLb = LocalityLbMode.LocalityWeighted, PanicThreshold = 0 });

        var report = balancer.DescribeTraffic();

        // Degraded availability 140 × 15 / 20 = 100; locality effective weights 10 × 1 and 10 × min(1, 0.7) = 7.
        Assert.Equal(10.0 / 17, report.Priorities[0].Localities[0].Share, 10);
        Assert.Equal(7.0 / 17, report.Priorities[0].Localities[1].Share, 10);
    }
}

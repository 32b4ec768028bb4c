using MeshProxy.Configuration;
using MeshProxy.LoadBalancing;
using Xunit;
using static MeshProxy.Tests.LoadBalancing.TestEndpoints;

namespace MeshProxy.Tests.LoadBalancing;

/// <summary>ringHash and maglev through the balancer: Envoy's thread-aware rules for panic, degraded hosts and locality weights.</summary>
public sealed class HashingLoadBalancerSnapshotTests
{
    private static readonly LoadBalancerConfig Hashed = new() { Hash = new HashPolicyConfig { Header = "x-user" } };

    [Theory]
    [InlineData(LoadBalancingPolicies.RingHash)]
    [InlineData(LoadBalancingPolicies.Maglev)]
    public void Pick_PriorityInPanic_RingCoversAllHosts(string policy)
    {
        var hosts = Create(4, healthy: 1);
        var balancer = Balancer(hosts, Hashed, policy);

        var picked = Enumerable.Range(0, 200).Select(i => balancer.Pick(new LoadBalancerContext(new Random(i), RequestHash.OfText("user" + i)))).Distinct().Count();

        Assert.Equal(4, picked);
        Assert.Equal(200, balancer.Stats.HealthyPanic);
    }

    [Fact] // Degraded load lands on the priority's ring, which holds only its healthy hosts.
    public void DescribeTraffic_DegradedLoad_GoesToHealthyRing()
    {
        var hosts = Percent(0, 25, 65);
        var balancer = Balancer(hosts, Hashed, LoadBalancingPolicies.Maglev);

        var report = balancer.DescribeTraffic();

        Assert.Equal(1.0, report.Priorities[0].Localities[0].Endpoints.Take(25).Sum(e => e.Share), 10);
        Assert.Equal(0.0, report.Unrouted, 10);
    }

    [Fact] // With locality weights, a host's share is (locality weight / Σ) × (its weight / Σ over the locality's healthy hosts):
    // unlike effectiveLocalityWeight there is no availability adjustment (Envoy's TODO in thread_aware_lb_impl.cc).
    public void DescribeTraffic_LocalityWeighted_NormalizesByRawLocalityWeights()
    {
        var x = Create(2, healthy: 1, locality: Zone("x"));
        var y = Create(2, locality: Zone("y"));
        var config = Hashed with { LocalityLb = LocalityLbMode.LocalityWeighted };
        var balancer = Balancer([.. x, .. y], config, LoadBalancingPolicies.Maglev);

        var localities = balancer.DescribeTraffic().Priorities[0].Localities;

        // X keeps its weight 2 of 4 although only one of its two hosts is healthy: that host takes X's whole half.
        Assert.Equal(0.5, localities[0].Share, 3);
        Assert.Equal(0.5, localities[1].Share, 3);
        Assert.Equal(0.5, localities[0].Endpoints[0].Share, 3);
    }

    [Fact]
    public void Pick_NoHashKey_PicksRandomly()
    {
        var balancer = Balancer(Create(5), Hashed, LoadBalancingPolicies.RingHash);
        var random = new Random(9);

        var picked = Enumerable.Range(0, 200).Select(_ => balancer.Pick(new LoadBalancerContext(random))).Distinct().Count();

        Assert.Equal(5, picked);
    }
}

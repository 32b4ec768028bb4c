using MeshProxy.Configuration;
using MeshProxy.LoadBalancing;
using Xunit;
using static MeshProxy.Tests.LoadBalancing.ClusterLoadBalancerTests;
using static MeshProxy.Tests.LoadBalancing.TestEndpoints;

namespace MeshProxy.Tests.LoadBalancing;

/// <summary>Istio's distribute: locality weights from the first matching rule; unmatched localities get nothing.</summary>
public sealed class LocalityDistributorTests
{
    private static readonly LocalityConfig Client = Zone("zone-a");

    [Fact]
    public void Pick_DistributeEightyTwenty_SplitsExactlyAndDropsTheRest()
    {
        var a = Create(2, locality: Zone("zone-a"));
        var b = Create(2, locality: Zone("zone-b"));
        var c = Create(2, locality: Zone("zone-c"));
        var balancer = Distributed([.. a, .. b, .. c], new LocalityDistributeConfig
        {
            From = "region/zone-a/*",
            To = new KeyValuePair<string, int>[] { new("region/zone-a/*", 80), new("region/zone-b/*", 20) },
        });

        var report = balancer.DescribeTraffic();
        var sampled = Sample(balancer, 20_000);

        Assert.Equal([80, 20], report.Priorities[0].Localities.Select(l => l.Weight));
        Assert.Equal([0.8, 0.2], report.Priorities[0].Localities.Select(l => Math.Round(l.Share, 10)));
        Assert.Equal(0.8, Share(sampled, a, 20_000), 0.005);
        Assert.Equal(0, Share(sampled, c, 20_000));
    }

    [Fact] // A rule whose from does not match this proxy changes nothing.
    public void Pick_RuleForAnotherZone_KeepsWeights()
    {
        var a = Create(1, locality: Zone("zone-a"));
        var b = Create(1, locality: Zone("zone-b"));
        var balancer = Distributed([.. a, .. b], new LocalityDistributeConfig { From = "region/zone-b", To = new KeyValuePair<string, int>[] { new("region/zone-b", 100) } });

        Assert.Equal([0.5, 0.5], balancer.DescribeTraffic().Priorities[0].Localities.Select(l => Math.Round(l.Share, 10)));
    }

    [Fact] // A wildcard matching several localities splits its percent by their own weights, rounded up.
    public void Apply_WildcardOverSeveralLocalities_SplitsByWeightRoundingUp()
    {
        int[] weights = [2, 4];
        var rules = new[] { new LocalityDistributeConfig { From = "*", To = new KeyValuePair<string, int>[] { new("region/*", 100) } } };

        Assert.True(LocalityDistributor.Apply(rules, Client, [Zone("zone-a"), Zone("zone-b")], weights));

        Assert.Equal([34, 67], weights); // ceil(200/6), ceil(400/6)
    }

    [Theory]
    [InlineData("region", true)]
    [InlineData("region/zone-a", true)]
    [InlineData("region/zone-a/*", true)]
    [InlineData("*", true)]
    [InlineData("region/zone-b", false)]
    [InlineData("other/*", false)]
    public void Matches_Patterns_AsIstio(string pattern, bool expected)
    {
        Assert.Equal(expected, LocalityPattern.Matches(pattern, new LocalityConfig("region", "zone-a", "s1")));
    }

    [Theory]
    [InlineData("a/*/c")]
    [InlineData("a/b/c/d")]
    [InlineData("a//c")]
    [InlineData("a*")]
    public void Validate_BadPatterns_AreRejected(string pattern)
    {
        Assert.NotNull(LocalityPattern.Validate(pattern));
    }

    private static ClusterLoadBalancer Distributed(Upstream.EndpointState[] endpoints, LocalityDistributeConfig rule)
    {
        var config = new LoadBalancerConfig { LocalityLb = LocalityLbMode.LocalityWeighted, Distribute = new[] { rule } };
        var balancer = new ClusterLoadBalancer(endpoints, LoadBalancingPolicies.RoundRobin, config, 0);
        balancer.SetLocality(Client, null);
        return balancer;
    }
}

using MeshProxy.Configuration;
using MeshProxy.LoadBalancing;
using Xunit;
using static MeshProxy.Tests.LoadBalancing.TestEndpoints;

namespace MeshProxy.Tests.LoadBalancing;

/// <summary>Istio's locality failover priorities (spiffe-istio.md §9): P0–P3 from region/zone/subzone, failoverPriority labels, compaction.</summary>
public sealed class LocalityPriorityAssignerTests
{
    private static readonly LocalityConfig Client = new("region1", "zone1", "sub1");

    [Theory]
    [InlineData("region1", "zone1", "sub1", 0)]
    [InlineData("region1", "zone1", "sub2", 1)]
    [InlineData("region1", "zone2", "sub1", 2)]
    [InlineData("region2", "zone1", "sub1", 3)]
    public void LocalityPriority_RegionZoneSubzone_P0ToP3(string region, string zone, string subzone, int expected)
    {
        Assert.Equal(expected, LocalityPriorityAssigner.LocalityPriority(Client, new LocalityConfig(region, zone, subzone)));
    }

    [Fact] // Istio's failover task: P0 region1.zone1, no P1 (no subzones), region1.zone2, region2 → compacted 0, 1, 2.
    public void Assign_MissingLevel_CompactsWithoutGaps()
    {
        var client = new LocalityConfig("region1", "zone1");
        var endpoints = new[]
        {
            Create(1, locality: new LocalityConfig("region1", "zone1"))[0],
            Create(1, locality: new LocalityConfig("region1", "zone2"))[0],
            Create(1, locality: new LocalityConfig("region2", "zone3"))[0],
        };

        Assert.Equal([0, 1, 2], LocalityPriorityAssigner.Assign(endpoints, client, []));
    }

    [Fact] // Three keys: all match P0, first two P1, only the first P2, none P3.
    public void Assign_FailoverPriorityLabels_RanksByLongestMatchingPrefix()
    {
        string[] keys = [LocalityPriorityAssigner.RegionLabel, LocalityPriorityAssigner.ZoneLabel, "version"];
        var client = new LocalityConfig("r", "z");
        var endpoints = new[]
        {
            Create(1, locality: new LocalityConfig("r", "z"), metadata: [new("version", "")])[0],
            Create(1, locality: new LocalityConfig("r", "z"), metadata: [new("version", "v2")])[0],
            Create(1, locality: new LocalityConfig("r", "other"))[0],
            Create(1, locality: new LocalityConfig("elsewhere", "z"))[0],
        };

        Assert.Equal([0, 1, 2, 3], LocalityPriorityAssigner.Assign(endpoints, client, keys));
    }

    [Fact] // "key=value" compares the endpoint with the literal, not with this proxy.
    public void Assign_LabelWithValue_ComparesWithLiteral()
    {
        var v2 = Create(1, metadata: [new("version", "v2")])[0];
        var v1 = Create(1, metadata: [new("version", "v1")])[0];

        Assert.Equal([0, 1], LocalityPriorityAssigner.Assign([v2, v1], Client, ["version=v2"]));
    }

    [Fact] // A first-key network mismatch goes below every same-network endpoint, still ordered by the other keys.
    public void LabelPriority_NetworkMismatch_PushedBelowSameNetwork()
    {
        string[] keys = [LocalityPriorityAssigner.NetworkLabel + "=net1", LocalityPriorityAssigner.RegionLabel];
        var client = new LocalityConfig("r", "z");
        var sameNetworkSameRegion = Create(1, locality: new LocalityConfig("r", "z"), metadata: [new(LocalityPriorityAssigner.NetworkLabel, "net1")])[0];
        var sameNetworkOtherRegion = Create(1, locality: new LocalityConfig("x", "z"), metadata: [new(LocalityPriorityAssigner.NetworkLabel, "net1")])[0];
        var otherNetworkSameRegion = Create(1, locality: new LocalityConfig("r", "z"), metadata: [new(LocalityPriorityAssigner.NetworkLabel, "net2")])[0];
        var otherNetworkOtherRegion = Create(1, locality: new LocalityConfig("x", "z"), metadata: [new(LocalityPriorityAssigner.NetworkLabel, "net2")])[0];

        Assert.Equal(0, LocalityPriorityAssigner.LabelPriority(client, sameNetworkSameRegion, keys));
        Assert.Equal(1, LocalityPriorityAssigner.LabelPriority(client, sameNetworkOtherRegion, keys));
        Assert.Equal(2, LocalityPriorityAssigner.LabelPriority(client, otherNetworkSameRegion, keys));
        Assert.Equal(3, LocalityPriorityAssigner.LabelPriority(client, otherNetworkOtherRegion, keys));
    }

    [Fact] // Derived priorities replace configured ones only when enabled; failover follows health.
    public void Pick_LocalityPrioritiesEnabled_PrefersOwnZoneThenFailsOver()
    {
        var own = Create(4, priority: 5, locality: new LocalityConfig("region1", "zone1", "sub1"));
        var sameRegion = Create(4, priority: 0, locality: new LocalityConfig("region1", "zone2"));
        var config = new LoadBalancerConfig { LocalityPriorities = new LocalityPrioritiesConfig { Enabled = true } };
        var balancer = new ClusterLoadBalancer([.. own, .. sameRegion], LoadBalancingPolicies.RoundRobin, config, 0);
        balancer.SetLocality(Client, null);

        Assert.Equal([100, 0], balancer.DescribeTraffic().Priorities.Select(p => p.Load));

        own[0].EjectedByOutlierDetection = true;
        own[1].EjectedByOutlierDetection = true;
        balancer.Refresh();

        Assert.Equal([70, 30], balancer.DescribeTraffic().Priorities.Select(p => p.Load));
    }

    [Fact]
    public void Pick_LocalityPrioritiesDisabled_KeepsConfiguredPriorities()
    {
        var own = Create(2, priority: 1, locality: Client);
        var other = Create(2, priority: 0, locality: new LocalityConfig("region2", "zone9"));
        var balancer = Balancer([.. own, .. other]);
        balancer.SetLocality(Client, null);

        Assert.Equal(1.0, balancer.DescribeTraffic().Priorities[0].Share, 10);
        Assert.Same(other[0].Locality, balancer.DescribeTraffic().Priorities[0].Localities[0].Locality);
    }
}

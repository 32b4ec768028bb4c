using MeshProxy.Configuration;
using MeshProxy.LoadBalancing;
using MeshProxy.Upstream;
using Xunit;
using static MeshProxy.Tests.LoadBalancing.ClusterLoadBalancerTests;
using static MeshProxy.Tests.LoadBalancing.TestEndpoints;

namespace MeshProxy.Tests.LoadBalancing;

/// <summary>
/// Zone-aware routing against the local cluster (this proxy's own service in zones a and b), in Envoy's fixed point
/// (1/10000): direct, residual, different zone counts (Envoy's ZoneAwareDifferentZoneSize), and the gates.
/// </summary>
public sealed class ZoneRoutingTests
{
    private const int Samples = 30_000;
    private static readonly LoadBalancerConfig ZoneAware = new() { LocalityLb = LocalityLbMode.ZoneAware };

    [Fact] // Upstream a holds 6666 of capacity, local a needs 5000: everything stays in a.
    public void Pick_LocalZoneHasEnoughCapacity_RoutesAllDirectly()
    {
        var a = Create(4, locality: Zone("a"));
        var b = Create(2, locality: Zone("b"));
        var balancer = ZoneAwareBalancer([.. a, .. b], Local(("a", 1), ("b", 1)));

        var sampled = Sample(balancer, 1000);

        Assert.Equal(1.0, Share(sampled, a, 1000));
        Assert.Equal(1000, balancer.Stats.ZoneRoutingAllDirectly);
        Assert.Equal(1.0, LocalityShare(balancer, "a"), 10);
    }

    [Fact] // Upstream a 3333 vs local 5000: 6666/10000 stay local; b's residual 1666 takes the rest.
    public void Pick_LocalZoneShort_SendsResidualCrossZone()
    {
        var a = Create(2, locality: Zone("a"));
        var b = Create(4, locality: Zone("b"));
        var balancer = ZoneAwareBalancer([.. a, .. b], Local(("a", 1), ("b", 1)));

        var sampled = Sample(balancer, Samples);

        Assert.Equal(0.6666, LocalityShare(balancer, "a"), 10);
        Assert.Equal(0.3334, LocalityShare(balancer, "b"), 10);
        Assert.Equal(0.6666, Share(sampled, a, Samples), 0.01);
        Assert.Equal(Samples, balancer.Stats.ZoneRoutingSampled + balancer.Stats.ZoneRoutingCrossZone);
        Assert.Equal(0.3334, (double)balancer.Stats.ZoneRoutingCrossZone / Samples, 0.01);
    }

    [Fact] // Envoy's ZoneAwareDifferentZoneSize: 3 upstream zones, 2 local ones; the docs' "same number of zones" is not required.
    public void Pick_DifferentZoneCounts_StillZoneAware()
    {
        var a = Create(2, locality: Zone("a"));
        var b = Create(2, locality: Zone("b"));
        var c = Create(2, locality: Zone("c"));
        var balancer = ZoneAwareBalancer([.. a, .. b, .. c], Local(("a", 1), ("b", 1)));

        var sampled = Sample(balancer, Samples);

        // local 5000/5000, upstream 3333 each: 6666 stays in a; b has no spare (3333 < 5000); c takes 3333 of spare.
        Assert.Equal(0.6666, LocalityShare(balancer, "a"), 10);
        Assert.Equal(0.0, LocalityShare(balancer, "b"), 10);
        Assert.Equal(0.3334, LocalityShare(balancer, "c"), 10);
        Assert.Equal(0, Share(sampled, b, Samples));
        Assert.Equal(0.3334, Share(sampled, c, Samples), 0.01);
    }

    [Fact] // Fewer than minClusterSize (6) healthy upstream hosts: no zone routing.
    public void Pick_ClusterTooSmall_BalancesAcrossZones()
    {
        var a = Create(2, locality: Zone("a"));
        var b = Create(3, locality: Zone("b"));
        var balancer = ZoneAwareBalancer([.. a, .. b], Local(("a", 1), ("b", 1)));

        Assert.Equal(0.4, LocalityShare(balancer, "a"), 10);
        Assert.True(balancer.Stats.ZoneClusterTooSmall > 0);
        Assert.True(balancer.Stats.RecalculateZoneStructures > 0);
    }

    [Fact] // The local cluster has no instance in this proxy's zone: lb_local_cluster_not_ok, no zone routing.
    public void Pick_LocalClusterMissingOwnZone_CountsNotOk()
    {
        var a = Create(4, locality: Zone("a"));
        var b = Create(2, locality: Zone("b"));
        var balancer = ZoneAwareBalancer([.. a, .. b], Local(("b", 1), ("c", 1)));

        Assert.Equal(4.0 / 6, LocalityShare(balancer, "a"), 10);
        Assert.Equal(1, balancer.Stats.LocalClusterNotOk);
    }

    [Fact] // The local cluster is in panic: each request counts lb_local_cluster_not_ok and skips zone routing.
    public void Pick_LocalClusterInPanic_CountsNotOkPerRequest()
    {
        var a = Create(4, locality: Zone("a"));
        var b = Create(2, locality: Zone("b"));
        var local = Local(("a", 2), ("b", 2));
        foreach (var host in local.Endpoints)
        {
            host.FailedActiveHealthCheck = true;
        }
        local.Refresh();
        var balancer = ZoneAwareBalancer([.. a, .. b], local);

        Sample(balancer, 100);

        Assert.Equal(4.0 / 6, LocalityShare(balancer, "a"), 10);
        Assert.Equal(100, balancer.Stats.LocalClusterNotOk);
    }

    [Fact] // routingEnabled 50: half the requests are zone-aware (all to a), half balance over all six hosts.
    public void Pick_RoutingEnabledHalf_MixesZoneAwareAndFlat()
    {
        var a = Create(4, locality: Zone("a"));
        var b = Create(2, locality: Zone("b"));
        var config = ZoneAware with { ZoneAware = new ZoneAwareConfig { RoutingEnabled = 50 } };
        var balancer = new ClusterLoadBalancer([.. a, .. b], LoadBalancingPolicies.RoundRobin, config, 0);
        balancer.SetLocality(Zone("a"), Local(("a", 1), ("b", 1)));

        Assert.Equal(0.5 + (0.5 * 4 / 6), LocalityShare(balancer, "a"), 10);
    }

    [Fact] // A health change in the local cluster is picked up on the next pick.
    public void Pick_LocalClusterChanges_RebuildsZoneRouting()
    {
        var a = Create(2, locality: Zone("a"));
        var b = Create(4, locality: Zone("b"));
        var local = Local(("a", 2), ("b", 2));
        var balancer = ZoneAwareBalancer([.. a, .. b], local);
        Assert.Equal(0.6666, LocalityShare(balancer, "a"), 10); // upstream a 3333 of local a's 5000.

        local.Endpoints.First(h => h.Locality == Zone("b")).FailedActiveHealthCheck = true;
        local.Refresh();
        balancer.Pick(new LoadBalancerContext(new Random(1)));

        Assert.Equal(0.5, LocalityShare(balancer, "a"), 10); // local a now 6666: 3333 × 10000 / 6666 = 5000 stay.
    }

    private static ClusterLoadBalancer ZoneAwareBalancer(EndpointState[] upstream, ClusterLoadBalancer local)
    {
        var balancer = new ClusterLoadBalancer(upstream, LoadBalancingPolicies.RoundRobin, ZoneAware, 0);
        balancer.SetLocality(Zone("a"), local);
        return balancer;
    }

    private static ClusterLoadBalancer Local(params (string Zone, int Count)[] zones) =>
        Balancer(zones.SelectMany(z => Create(z.Count, locality: Zone(z.Zone))));

    private static double LocalityShare(ClusterLoadBalancer balancer, string zone) =>
        balancer.DescribeTraffic().Priorities[0].Localities.Where(l => l.Locality == Zone(zone)).Sum(l => l.Share);
}

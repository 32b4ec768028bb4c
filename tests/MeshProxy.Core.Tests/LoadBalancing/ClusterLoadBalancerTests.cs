using MeshProxy.Configuration;
using MeshProxy.LoadBalancing;
using MeshProxy.Upstream;
using Xunit;
using static MeshProxy.Tests.LoadBalancing.TestEndpoints;

namespace MeshProxy.Tests.LoadBalancing;

/// <summary>Picks through the whole balancer: priority, panic, degraded, retries, refresh, and sampled vs exact shares.</summary>
public sealed class ClusterLoadBalancerTests
{
    // Sampled shares of N seeded picks are compared with the exact share within this absolute tolerance.
    private const int Samples = 40_000;
    private const double Tolerance = 0.01;

    [Fact] // Panic table B row 5%/65%: the exact split is 8/92 and sampling agrees.
    public void Pick_PanicTableBRow5And65_SamplesMatchExact8And92()
    {
        var p0 = Percent(0, 5);
        var p1 = Percent(1, 65);
        var balancer = Balancer([.. p0, .. p1]);

        var report = balancer.DescribeTraffic();
        var sampled = Sample(balancer);

        Assert.Equal(0.08, report.Priorities[0].Share, 10);
        Assert.Equal(0.92, report.Priorities[1].Share, 10);
        Assert.True(report.Priorities[0].Panic);
        Assert.Equal(0.08, Share(sampled, p0), Tolerance);
        Assert.Equal(0.92, Share(sampled, p1), Tolerance);
    }

    [Fact] // P0 in panic picks among all its hosts, unhealthy ones too, and counts lb_healthy_panic.
    public void Pick_PriorityInPanic_UsesAllHostsAndCounts()
    {
        var hosts = Create(10, healthy: 2);
        var balancer = Balancer(hosts);

        var sampled = Sample(balancer, 10_000);

        Assert.Equal(10, sampled.Count);
        Assert.Equal(10_000, balancer.Stats.HealthyPanic);
        Assert.All(hosts, h => Assert.Equal(0.1, balancer.DescribeTraffic().Priorities[0].Localities[0].Endpoints.Single(e => e.Endpoint == h).Share, 10));
    }

    [Fact]
    public void Pick_AllUnhealthyWithPanic_RoutesToAllHosts()
    {
        var hosts = Create(4, healthy: 0);
        var balancer = Balancer(hosts);

        Assert.NotNull(balancer.Pick(new LoadBalancerContext(new Random(1))));
        Assert.Equal(1.0, balancer.DescribeTraffic().Priorities[0].Share, 10);
    }

    [Fact] // Panic threshold 0: no panic, so with no healthy host there is nothing to pick (503 UH).
    public void Pick_AllUnhealthyPanicDisabled_ReturnsNull()
    {
        var balancer = Balancer(Create(4, healthy: 0), WithPanic(0));

        Assert.Null(balancer.Pick(new LoadBalancerContext(new Random(1))));
        Assert.Equal(1.0, balancer.DescribeTraffic().Unrouted, 10);
    }

    [Fact]
    public void Pick_FailTrafficOnPanic_ReturnsNullAndCounts()
    {
        var balancer = Balancer(Create(4, healthy: 1), new LoadBalancerConfig { FailTrafficOnPanic = true });

        Assert.Null(balancer.Pick(new LoadBalancerContext(new Random(1))));
        Assert.Equal(1, balancer.Stats.HealthyPanic);
        Assert.Equal(1.0, balancer.DescribeTraffic().Unrouted, 10);
    }

    [Fact]
    public void Pick_NoEndpoints_ReturnsNull()
    {
        var balancer = Balancer([]);

        Assert.Null(balancer.Pick(new LoadBalancerContext(new Random(1))));
        Assert.Single(balancer.DescribeTraffic().Priorities);
    }

    [Fact]
    public void Pick_SingleHost_AlwaysThatHost()
    {
        var host = Create(1);
        var balancer = Balancer(host);

        Assert.All(Enumerable.Range(0, 10), _ => Assert.Same(host[0], balancer.Pick(new LoadBalancerContext(new Random(1)))));
    }

    [Fact] // Degraded table row 25/65/10: 35% to the healthy hosts, 65% to the degraded ones.
    public void Pick_DegradedHosts_TakeTheDegradedLoad()
    {
        var hosts = Percent(0, 25, 65);
        var balancer = Balancer(hosts);

        var sampled = Sample(balancer);

        Assert.Equal(0.35, Share(sampled, hosts[..25]), Tolerance);
        Assert.Equal(0.65, Share(sampled, hosts[25..90]), Tolerance);
        Assert.Equal(0, hosts[90..].Sum(h => sampled.GetValueOrDefault(h)));
    }

    [Fact] // Zero weights cannot be configured (1..128); the smallest weight still gets its share.
    public void Pick_WeightedRoundRobin_FollowsWeights()
    {
        var light = Create(1, weight: 1);
        var heavy = Create(1, weight: 3);
        var balancer = Balancer([.. light, .. heavy]);

        var sampled = Sample(balancer, 4000);

        Assert.Equal(1000, sampled[light[0]]);
        Assert.Equal(3000, sampled[heavy[0]]);
    }

    [Fact] // Envoy's host_selection_retry_max_attempts: a rejected host is re-picked, up to the limit.
    public void Pick_PredicateRejectsPreviousHost_PicksAnother()
    {
        var hosts = Create(2);
        var balancer = Balancer(hosts);
        var previous = balancer.Pick(new LoadBalancerContext(new Random(1)))!;

        var next = balancer.Pick(new LoadBalancerContext(new Random(1), shouldSelectAnotherEndpoint: h => h == previous, hostSelectionRetryCount: 3));

        Assert.NotSame(previous, next);
    }

    [Fact] // When every attempt is rejected, the last pick is used.
    public void Pick_PredicateRejectsEverything_ReturnsLastPick()
    {
        var balancer = Balancer(Create(3));
        var attempts = 0;

        var host = balancer.Pick(new LoadBalancerContext(new Random(1), shouldSelectAnotherEndpoint: _ => ++attempts > 0, hostSelectionRetryCount: 4));

        Assert.NotNull(host);
        Assert.Equal(5, attempts);
    }

    [Fact] // A change in health recomputes the priority loads at once.
    public void Refresh_AfterHealthChange_MovesLoadToNextPriority()
    {
        var p0 = Create(10, priority: 0);
        var p1 = Create(10, priority: 1);
        var balancer = Balancer([.. p0, .. p1]);
        Assert.Equal(1.0, balancer.DescribeTraffic().Priorities[0].Share, 10);

        for (var i = 0; i < 5; i++)
        {
            p0[i].FailedActiveHealthCheck = true;
        }
        p0[5].EjectedByOutlierDetection = true;
        p0[6].HealthStatus = EndpointHealth.Draining;
        balancer.Refresh();

        var report = balancer.DescribeTraffic();
        Assert.Equal(42, report.Priorities[0].Load); // 140 × 3 / 10
        Assert.Equal(58, report.Priorities[1].Load);
        Assert.True(report.Priorities[0].Panic is false);
        Assert.Equal(3, report.Priorities[0].HealthyHosts);
    }

    [Fact]
    public void ClusterState_PickEndpointWithRandom_StillWorks()
    {
        var config = new ClusterConfig
        {
            Name = "c",
            Endpoints = new[] { Create(1)[0].Config, Create(1)[0].Config },
        };
        using var cluster = new ClusterState(config, new global::MeshProxy.Http.SocketsHttpEngineFactory(), TimeProvider.System);

        var first = cluster.PickEndpoint(new Random(1));
        var second = cluster.PickEndpoint(new Random(1));

        Assert.NotNull(first);
        Assert.NotSame(first, second);
    }

    [Fact]
    public void ClusterState_OnHealthChanged_RecomputesLoads()
    {
        var config = new ClusterConfig
        {
            Name = "c",
            Endpoints = new[] { Create(1)[0].Config, Create(1, priority: 1)[0].Config },
        };
        using var cluster = new ClusterState(config, new global::MeshProxy.Http.SocketsHttpEngineFactory(), TimeProvider.System);
        var primary = cluster.Endpoints.Single(e => e.Priority == 0);

        primary.FailedActiveHealthCheck = true;
        cluster.OnHealthChanged();

        Assert.Equal(cluster.Endpoints.Single(e => e.Priority == 1), cluster.PickEndpoint(new Random(3)));
    }

    internal static double Share(Dictionary<EndpointState, int> sampled, IEnumerable<EndpointState> hosts, int samples = Samples) =>
        (double)hosts.Sum(h => sampled.GetValueOrDefault(h)) / samples;

    internal static Dictionary<EndpointState, int> Sample(ClusterLoadBalancer balancer, int count = Samples, int seed = 42, Func<Random, LoadBalancerContext>? context = null)
    {
        var random = new Random(seed);
        var counts = new Dictionary<EndpointState, int>();
        for (var i = 0; i < count; i++)
        {
            var host = balancer.Pick(context?.Invoke(random) ?? new LoadBalancerContext(random));
            if (host is not null)
            {
                counts[host] = counts.GetValueOrDefault(host) + 1;
            }
        }
        return counts;
    }
}

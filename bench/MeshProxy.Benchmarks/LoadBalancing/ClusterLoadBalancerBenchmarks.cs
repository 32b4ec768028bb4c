using BenchmarkDotNet.Attributes;
using MeshProxy.Configuration;
using MeshProxy.LoadBalancing;
using MeshProxy.Upstream;

namespace MeshProxy.Benchmarks.LoadBalancing;

/// <summary>
/// A full pick (priority → locality → picker) on 1,000 endpoints in 50 localities and 3 priorities, 20% of P0 down,
/// for each locality mode; and the rebuild after a health change.
/// </summary>
[MemoryDiagnoser]
public class ClusterLoadBalancerBenchmarks
{
    private ClusterLoadBalancer _balancer = null!;
    private Random _random = null!;

    [Params(LocalityLbMode.None, LocalityLbMode.LocalityWeighted, LocalityLbMode.ZoneAware)]
    public LocalityLbMode Mode { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var endpoints = BenchmarkEndpoints.Create(1000, localities: 50, priorities: 3, maxWeight: 4);
        foreach (var endpoint in endpoints.Where(e => e.Priority == 0).Take(70))
        {
            endpoint.FailedActiveHealthCheck = true;
        }
        _balancer = new ClusterLoadBalancer(endpoints, LoadBalancingPolicies.RoundRobin, new LoadBalancerConfig { LocalityLb = Mode }, 1);
        var peers = new ClusterLoadBalancer(BenchmarkEndpoints.Create(60, localities: 50), LoadBalancingPolicies.RoundRobin, LoadBalancerConfig.Default, 1);
        _balancer.SetLocality(new LocalityConfig("region", "zone-0"), Mode == LocalityLbMode.ZoneAware ? peers : null);
        _random = new Random();
    }

    [Benchmark]
    public EndpointState? Pick() => _balancer.Pick(new LoadBalancerContext(_random));

    /// <summary>Everything a health change recomputes: priorities, loads, panic, locality weights, zone routing, pickers.</summary>
    [Benchmark]
    public void Refresh() => _balancer.Refresh();
}

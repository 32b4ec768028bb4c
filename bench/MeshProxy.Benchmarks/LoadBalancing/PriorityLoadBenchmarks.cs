using BenchmarkDotNet.Attributes;
using MeshProxy.Configuration;
using MeshProxy.LoadBalancing;
using MeshProxy.Upstream;

namespace MeshProxy.Benchmarks.LoadBalancing;

/// <summary>The load computation alone for 1,000 endpoints in 50 localities: freezing the host sets, then the loads.</summary>
[MemoryDiagnoser]
public class PriorityLoadBenchmarks
{
    private EndpointState[] _endpoints = null!;
    private PrioritySet _set = null!;

    [GlobalSetup]
    public void Setup()
    {
        _endpoints = BenchmarkEndpoints.Create(1000, localities: 50, priorities: 3);
        _set = PrioritySetBuilder.Build(_endpoints, LoadBalancerConfig.Default, LocalityConfig.None);
    }

    [Benchmark]
    public object BuildPrioritySet() => PrioritySetBuilder.Build(_endpoints, LoadBalancerConfig.Default, new LocalityConfig("region", "zone-0"));

    [Benchmark]
    public object ComputeLoads() => PriorityLoadCalculator.Compute(_set, 140, 50, weightedPriorityHealth: false);
}

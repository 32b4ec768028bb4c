using BenchmarkDotNet.Attributes;
using MeshProxy.Configuration;
using MeshProxy.LoadBalancing;
using MeshProxy.Upstream;

namespace MeshProxy.Benchmarks.LoadBalancing;

/// <summary>One pick from each picker over 100 hosts: O(1) (ring hash: O(log ring)) and 0 bytes allocated.</summary>
[MemoryDiagnoser]
public class EndpointPickerBenchmarks
{
    private IEndpointPicker _picker = null!;
    private Random _random = null!;
    private ulong _hash;

    [Params(LoadBalancingPolicies.RoundRobin, LoadBalancingPolicies.LeastRequest, LoadBalancingPolicies.Random, LoadBalancingPolicies.RingHash, LoadBalancingPolicies.Maglev)]
    public string Policy { get; set; } = LoadBalancingPolicies.RoundRobin;

    [GlobalSetup]
    public void Setup()
    {
        // Weights 1..4 so that round robin runs its EDF cycle and least request its two-choice path (equal weights) is measured separately below.
        var hosts = BenchmarkEndpoints.Create(100, localities: 1, maxWeight: Policy == LoadBalancingPolicies.LeastRequest ? 1 : 4);
        var weights = hosts.Select(h => (double)h.Weight).ToArray();
        if (LoadBalancingPolicies.IsHashing(Policy))
        {
            var total = weights.Sum();
            weights = weights.Select(w => w / total).ToArray();
        }
        _picker = EndpointPickerFactory.Create(Policy, new EndpointPickerInputs(hosts, weights, LoadBalancerConfig.Default, 1));
        _random = new Random();
    }

    [Benchmark]
    public EndpointState? Pick()
    {
        var context = new LoadBalancerContext(_random);
        return _picker.Pick(context, _hash += 0x9E3779B97F4A7C15UL, 0);
    }
}

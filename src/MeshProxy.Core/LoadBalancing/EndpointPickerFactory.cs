using System.Collections.Frozen;

namespace MeshProxy.LoadBalancing;

/// <summary>Creates the picker a cluster's lbPolicy names: one registration line per picker.</summary>
internal static class EndpointPickerFactory
{
    private static readonly FrozenDictionary<string, Func<EndpointPickerInputs, IEndpointPicker>> Creators =
        new Dictionary<string, Func<EndpointPickerInputs, IEndpointPicker>>(StringComparer.Ordinal)
        {
            [LoadBalancingPolicies.RoundRobin] = inputs => new WeightedRoundRobinEndpointPicker(inputs),
            [LoadBalancingPolicies.LeastRequest] = inputs => new LeastRequestEndpointPicker(inputs),
            [LoadBalancingPolicies.Random] = inputs => new RandomEndpointPicker(inputs),
            [LoadBalancingPolicies.RingHash] = inputs => new RingHashEndpointPicker(inputs),
            [LoadBalancingPolicies.Maglev] = inputs => new MaglevEndpointPicker(inputs),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The picker for a policy; the validator has already refused unknown names, which fall back to round robin.</summary>
    public static IEndpointPicker Create(string policy, EndpointPickerInputs inputs) =>
        Creators.TryGetValue(policy, out var create) ? create(inputs) : new WeightedRoundRobinEndpointPicker(inputs);
}

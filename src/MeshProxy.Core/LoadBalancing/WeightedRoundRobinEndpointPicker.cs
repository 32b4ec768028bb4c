using MeshProxy.Upstream;

namespace MeshProxy.LoadBalancing;

/// <summary>
/// Envoy's ROUND_ROBIN: weighted round robin in EDF order, plain rotation when weights are equal. The EDF sequence
/// of integer weights repeats every Σ weight / gcd picks, so that cycle is computed once per rebuild and a pick is
/// one interlocked increment: O(1), lock-free, no allocation. The cycle starts at a seed-chosen offset, as Envoy's
/// schedulers start at a random pick so that proxies do not move in lockstep. Memory: one int per cycle entry.
/// </summary>
internal sealed class WeightedRoundRobinEndpointPicker : IEndpointPicker
{
    private readonly EndpointPickerInputs _inputs;
    private readonly int[] _cycle;
    private long _cursor;

    public WeightedRoundRobinEndpointPicker(EndpointPickerInputs inputs)
    {
        _inputs = inputs;
        var hosts = inputs.Hosts.Length;
        _cycle = hosts <= 1 || inputs.WeightsAreEqual()
            ? Enumerable.Range(0, hosts).ToArray()
            : EdfScheduler.BuildCycle(inputs.Weights.Select(w => (int)w).ToArray());
        _cursor = _cycle.Length == 0 ? 0 : (long)(inputs.Seed % (ulong)_cycle.Length);
    }

    /// <summary>The host indexes of one full cycle, in pick order.</summary>
    internal ReadOnlySpan<int> Cycle => _cycle;

    public EndpointState? Pick(in LoadBalancerContext context, ulong hash, int attempt)
    {
        if (_cycle.Length == 0)
        {
            return null;
        }
        var position = (ulong)(Interlocked.Increment(ref _cursor) - 1) % (ulong)_cycle.Length;
        return _inputs.Hosts[_cycle[position]];
    }

    public void WriteShares(Span<double> shares) => _inputs.WriteWeightShares(shares);
}

using MeshProxy.Configuration;
using MeshProxy.Upstream;

namespace MeshProxy.LoadBalancing;

/// <summary>What a picker is built from.</summary>
/// <param name="Hosts">The hosts, in the cluster's order.</param>
/// <param name="Weights">Each host's weight: its endpoint weight, or for hashing pickers its normalized share (summing to 1).</param>
/// <param name="Config">The cluster's load-balancer config (choiceCount, ring and table sizes).</param>
/// <param name="Seed">A per-cluster random value that sets where round-robin cycles start.</param>
internal readonly record struct EndpointPickerInputs(EndpointState[] Hosts, double[] Weights, LoadBalancerConfig Config, ulong Seed)
{
    public bool WeightsAreEqual()
    {
        for (var i = 1; i < Weights.Length; i++)
        {
            if (Weights[i] != Weights[0])
            {
                return false;
            }
        }
        return true;
    }

    public void WriteWeightShares(Span<double> shares)
    {
        var total = Weights.Sum();
        for (var i = 0; i < shares.Length; i++)
        {
            shares[i] = Weights[i] / total;
        }
    }
}

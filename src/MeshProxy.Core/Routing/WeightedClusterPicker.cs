using MeshProxy.Configuration;
using MeshProxy.Utilities;

namespace MeshProxy.Routing;

/// <summary>
/// Picks one arm of a weighted split in proportion to its weight (Envoy's weighted_clusters):
/// a uniform draw in [0, total) walked over the cumulative weights.
/// </summary>
public sealed class WeightedClusterPicker
{
    private readonly string[] _clusters;
    private readonly long[] _cumulativeWeights;

    public WeightedClusterPicker(EquatableArray<WeightedClusterConfig> arms)
    {
        var active = arms.Where(a => a.Weight > 0).ToArray();
        _clusters = active.Select(a => a.Cluster).ToArray();
        _cumulativeWeights = new long[active.Length];
        long total = 0;
        for (var i = 0; i < active.Length; i++)
        {
            total += active[i].Weight;
            _cumulativeWeights[i] = total;
        }
    }

    public long TotalWeight => _cumulativeWeights.Length == 0 ? 0 : _cumulativeWeights[^1];

    public string Pick(Random random)
    {
        var draw = random.NextInt64(TotalWeight);
        for (var i = 0; i < _cumulativeWeights.Length; i++)
        {
            if (draw < _cumulativeWeights[i])
            {
                return _clusters[i];
            }
        }
        return _clusters[^1];
    }
}

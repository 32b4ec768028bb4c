using MeshProxy.Configuration;
using MeshProxy.Routing;

namespace MeshProxy.Tests.Routing;

public sealed class WeightedClusterPickerTests
{
    [Fact]
    public void Pick_SeededDraws_SharesMatchWeights()
    {
        var picker = new WeightedClusterPicker(new[]
        {
            new WeightedClusterConfig { Cluster = "a", Weight = 70 },
            new WeightedClusterConfig { Cluster = "b", Weight = 0 },
            new WeightedClusterConfig { Cluster = "c", Weight = 30 },
        });
        var random = new Random(42);

        var picks = Enumerable.Range(0, 100_000).Select(_ => picker.Pick(random)).GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());

        Assert.False(picks.ContainsKey("b"));
        Assert.InRange(picks["a"] / 1000.0, 69.5, 70.5);
        Assert.InRange(picks["c"] / 1000.0, 29.5, 30.5);
        Assert.Equal(100, picker.TotalWeight);
    }
}

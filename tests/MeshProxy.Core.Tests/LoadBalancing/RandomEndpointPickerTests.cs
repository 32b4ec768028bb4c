using MeshProxy.LoadBalancing;
using Xunit;
using static MeshProxy.Tests.LoadBalancing.PickerTestSupport;
using static MeshProxy.Tests.LoadBalancing.TestEndpoints;

namespace MeshProxy.Tests.LoadBalancing;

public sealed class RandomEndpointPickerTests
{
    [Fact] // Uniform, ignoring weights as Envoy's RANDOM does.
    public void Pick_IgnoresWeights_Uniform()
    {
        var hosts = new[] { Create(1, weight: 1)[0], Create(1, weight: 9)[0] };
        var picker = Picker(LoadBalancingPolicies.Random, hosts);

        var counts = Count(picker, hosts, 20_000);

        Assert.Equal(0.5, counts[0] / 20_000.0, 0.015);
        Assert.Equal([0.5, 0.5], Shares(picker, 2));
    }
}

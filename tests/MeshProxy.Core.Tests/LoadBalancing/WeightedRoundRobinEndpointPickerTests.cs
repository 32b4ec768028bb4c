using MeshProxy.LoadBalancing;
using Xunit;
using static MeshProxy.Tests.LoadBalancing.PickerTestSupport;
using static MeshProxy.Tests.LoadBalancing.TestEndpoints;

namespace MeshProxy.Tests.LoadBalancing;

public sealed class WeightedRoundRobinEndpointPickerTests
{
    [Fact] // Over one full cycle (Σ weights) every host is picked exactly weight times.
    public void Pick_FullCycle_ExactlyWeightTimes()
    {
        var hosts = new[] { Create(1, weight: 1)[0], Create(1, weight: 2)[0], Create(1, weight: 3)[0] };
        var picker = Picker(LoadBalancingPolicies.RoundRobin, hosts, seed: 5);

        Assert.Equal([1, 2, 3], Count(picker, hosts, 6));
        Assert.Equal([100, 200, 300], Count(picker, hosts, 600));
    }

    [Fact] // EDF order: weights 5 and 1 tie at deadline 1.0, where the earlier-inserted light host goes first.
    public void Cycle_WeightsFiveAndOne_FollowsEdfOrder()
    {
        var hosts = new[] { Create(1, weight: 5)[0], Create(1, weight: 1)[0] };
        var picker = (WeightedRoundRobinEndpointPicker)Picker(LoadBalancingPolicies.RoundRobin, hosts);

        Assert.Equal([0, 0, 0, 0, 1, 0], picker.Cycle.ToArray());
    }

    [Fact] // Weights with a common factor reduce: 2:4 cycles like 1:2.
    public void Cycle_CommonFactor_IsReduced()
    {
        var hosts = new[] { Create(1, weight: 2)[0], Create(1, weight: 4)[0] };
        var picker = (WeightedRoundRobinEndpointPicker)Picker(LoadBalancingPolicies.RoundRobin, hosts);

        Assert.Equal(3, picker.Cycle.Length);
    }

    [Fact] // Equal weights rotate in order, starting where the seed says.
    public void Pick_EqualWeights_RotatesFromSeedOffset()
    {
        var hosts = Create(4);
        var picker = Picker(LoadBalancingPolicies.RoundRobin, hosts, seed: 6);
        var context = new LoadBalancerContext(new Random(1));

        var order = Enumerable.Range(0, 5).Select(_ => Array.IndexOf(hosts, picker.Pick(context, 0, 0))).ToArray();

        Assert.Equal([2, 3, 0, 1, 2], order);
    }

    [Fact]
    public void Pick_Empty_ReturnsNull()
    {
        Assert.Null(Picker(LoadBalancingPolicies.RoundRobin, []).Pick(new LoadBalancerContext(new Random(1)), 0, 0));
    }
}

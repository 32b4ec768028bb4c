using MeshProxy.LoadBalancing;
using Xunit;

namespace MeshProxy.Tests.LoadBalancing;

public sealed class EdfSchedulerTests
{
    [Fact] // Entries of weight 0 are never scheduled (Envoy leaves zero-weight localities out).
    public void PickAndAdd_ZeroWeight_NeverPicked()
    {
        var scheduler = new EdfScheduler([0.0, 1.0, 2.0]);

        var picks = Enumerable.Range(0, 300).Select(_ => scheduler.PickAndAdd()).ToArray();

        Assert.DoesNotContain(0, picks);
        Assert.Equal(100, picks.Count(p => p == 1));
    }

    [Fact]
    public void PickAndAdd_AllWeightsZero_ReturnsMinusOne()
    {
        var scheduler = new EdfScheduler([0.0, 0.0]);

        Assert.True(scheduler.IsEmpty);
        Assert.Equal(-1, scheduler.PickAndAdd());
    }

    [Fact] // Doubles are allowed: 0.98 vs 2 is Table L's 70% row.
    public void PickAndAdd_FractionalWeights_SplitProportionally()
    {
        var scheduler = new EdfScheduler([0.98, 2.0]);

        var first = Enumerable.Range(0, 29_800).Count(_ => scheduler.PickAndAdd() == 0);

        Assert.Equal(9800, first, 1.0);
    }

    [Fact]
    public void BuildCycle_Weights_EachAppearsWeightOverGcdTimes()
    {
        var cycle = EdfScheduler.BuildCycle([4, 6, 2]);

        Assert.Equal(6, cycle.Length);
        Assert.Equal([2, 3, 1], Enumerable.Range(0, 3).Select(i => cycle.Count(c => c == i)));
    }
}

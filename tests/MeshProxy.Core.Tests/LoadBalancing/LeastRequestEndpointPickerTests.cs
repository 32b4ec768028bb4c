using MeshProxy.Configuration;
using MeshProxy.LoadBalancing;
using Xunit;
using static MeshProxy.Tests.LoadBalancing.PickerTestSupport;
using static MeshProxy.Tests.LoadBalancing.TestEndpoints;

namespace MeshProxy.Tests.LoadBalancing;

public sealed class LeastRequestEndpointPickerTests
{
    [Fact] // Two choices over two hosts: the busy one wins only when both samples are it (1/4).
    public void Pick_PowerOfTwoChoices_AvoidsTheBusyHost()
    {
        var hosts = Create(2);
        for (var i = 0; i < 10; i++)
        {
            hosts[0].RequestStarted();
        }
        var picker = Picker(LoadBalancingPolicies.LeastRequest, hosts);

        var counts = Count(picker, hosts, 20_000);

        Assert.Equal(0.25, counts[0] / 20_000.0, 0.015);
    }

    [Fact] // More choices make the least-loaded host win almost always.
    public void Pick_ChoiceCountTen_NearlyAlwaysTheIdleHost()
    {
        var hosts = Create(2);
        hosts[0].RequestStarted();
        var config = new LoadBalancerConfig { LeastRequest = new LeastRequestConfig { ChoiceCount = 10 } };
        var picker = Picker(LoadBalancingPolicies.LeastRequest, hosts, config);

        var counts = Count(picker, hosts, 10_000);

        Assert.True(counts[0] < 30, $"busy host picked {counts[0]} times");
    }

    [Fact] // Unequal weights with nothing in flight: EDF by weight, exactly.
    public void Pick_UnequalWeightsIdle_SplitsByWeight()
    {
        var hosts = new[] { Create(1, weight: 1)[0], Create(1, weight: 3)[0] };
        var picker = Picker(LoadBalancingPolicies.LeastRequest, hosts);

        Assert.Equal([1000, 3000], Count(picker, hosts, 4000));
        Assert.Equal([0.25, 0.75], Shares(picker, 2));
    }

    [Fact] // Active request bias 1: weight 2 with one request in flight counts as 2 / 2 = 1, like its idle weight-1 peer.
    public void Pick_UnequalWeightsWithLoad_DividesByActiveRequests()
    {
        var hosts = new[] { Create(1, weight: 2)[0], Create(1, weight: 1)[0] };
        hosts[0].RequestStarted();
        var picker = Picker(LoadBalancingPolicies.LeastRequest, hosts);

        var counts = Count(picker, hosts, 1000);

        Assert.InRange(counts[0], 495, 505);
    }
}

using MeshProxy.LoadBalancing;
using Xunit;
using static MeshProxy.Tests.LoadBalancing.PickerTestSupport;
using static MeshProxy.Tests.LoadBalancing.TestEndpoints;

namespace MeshProxy.Tests.LoadBalancing;

public sealed class MaglevEndpointPickerTests
{
    private static readonly LoadBalancerContext Context = new(new Random(1));

    [Fact] // The default table has 65537 entries, split almost exactly evenly.
    public void Table_EqualHosts_NearlyEvenSplit()
    {
        var picker = (MaglevEndpointPicker)Picker(LoadBalancingPolicies.Maglev, Create(7), normalize: true);

        var shares = Shares(picker, 7);

        Assert.Equal(65537, picker.TableSize);
        Assert.All(shares, share => Assert.Equal(1.0 / 7, share, 0.001));
    }

    [Fact]
    public void Table_WeightsOneAndThree_SplitsByWeight()
    {
        var hosts = new[] { Create(1, weight: 1)[0], Create(1, weight: 3)[0] };
        var picker = Picker(LoadBalancingPolicies.Maglev, hosts, normalize: true);

        Assert.Equal(0.25, Shares(picker, 2)[0], 0.001);
    }

    [Fact] // Removing one host of ten reassigns its entries and disturbs few of the others.
    public void Pick_HostRemoved_FewOtherKeysMove()
    {
        var hosts = Create(10);
        var before = Picker(LoadBalancingPolicies.Maglev, hosts, normalize: true);
        var after = Picker(LoadBalancingPolicies.Maglev, hosts[1..], normalize: true);

        var (kept, moved) = KeysMovedByRemoval(before, after, hosts[0], 10_000);

        Assert.True(moved < (kept + moved) / 20, $"{moved} of {kept + moved} keys moved");
    }

    [Fact]
    public void Pick_SameKey_SameHost()
    {
        var hosts = Create(4);
        var picker = Picker(LoadBalancingPolicies.Maglev, hosts, normalize: true);
        var hash = XxHash64.HashUtf8("10.1.2.3");

        Assert.Same(picker.Pick(Context, hash, 0), picker.Pick(Context, hash, 0));
        Assert.NotNull(picker.Pick(Context, hash, 1));
    }
}

using MeshProxy.Configuration;
using MeshProxy.LoadBalancing;
using MeshProxy.Upstream;
using Xunit;
using static MeshProxy.Tests.LoadBalancing.PickerTestSupport;
using static MeshProxy.Tests.LoadBalancing.TestEndpoints;

namespace MeshProxy.Tests.LoadBalancing;

public sealed class RingHashEndpointPickerTests
{
    private static readonly LoadBalancerContext Context = new(new Random(1));

    [Fact] // scale = ceil(1/3 × 1024) / (1/3) = 1026 points.
    public void Ring_ThreeEqualHosts_AtLeastMinimumSize()
    {
        var picker = (RingHashEndpointPicker)Picker(LoadBalancingPolicies.RingHash, Create(3), normalize: true);

        Assert.Equal(1026, picker.RingSize);
    }

    [Fact]
    public void Pick_SameKey_SameHostAcrossRebuilds()
    {
        var hosts = Create(5);
        var first = Picker(LoadBalancingPolicies.RingHash, hosts, normalize: true);
        var second = Picker(LoadBalancingPolicies.RingHash, hosts, normalize: true);

        for (ulong key = 1; key < 2000; key += 7)
        {
            var hash = XxHash64.HashUtf8("user-" + key);
            Assert.Same(first.Pick(Context, hash, 0), second.Pick(Context, hash, 0));
        }
    }

    [Fact] // Removing one host of six: its keys move; of the others only those that the survivors' extra points
    // (the ring keeps ≥ 1024 points, so each survivor grows from 171 to 205) take over, far fewer than modulo hashing's 5/6.
    public void Pick_HostRemoved_FewOtherKeysMove()
    {
        var hosts = Create(6);
        var before = Picker(LoadBalancingPolicies.RingHash, hosts, normalize: true);
        var after = Picker(LoadBalancingPolicies.RingHash, hosts[1..], normalize: true);

        var (kept, moved) = KeysMovedByRemoval(before, after, hosts[0], 10_000);

        Assert.True(moved < (kept + moved) / 5, $"{moved} of {kept + moved} keys moved");
    }

    [Fact] // With the point count per host unchanged (a ring of at least 6 points over 6 or 5 hosts), no surviving key moves.
    public void Pick_HostRemovedSamePointsPerHost_OtherKeysStay()
    {
        var hosts = Create(6);
        var config = new LoadBalancerConfig { RingHash = new RingHashConfig { MinimumRingSize = 5 } };
        var before = Picker(LoadBalancingPolicies.RingHash, hosts, config, normalize: true);
        var after = Picker(LoadBalancingPolicies.RingHash, hosts[1..], config, normalize: true);

        Assert.Equal(0, KeysMovedByRemoval(before, after, hosts[0], 5000).Moved);
    }

    [Fact] // Exact shares are the arcs each host owns; with 1024+ points per ring they are near the weights.
    public void WriteShares_WeightsOneAndThree_ArcsNearWeights()
    {
        var hosts = new[] { Create(1, weight: 1)[0], Create(1, weight: 3)[0] };
        var picker = Picker(LoadBalancingPolicies.RingHash, hosts, normalize: true);

        var shares = Shares(picker, 2);
        var counts = Count(picker, hosts, 40_000);

        Assert.Equal(1.0, shares.Sum(), 10);
        Assert.Equal(0.25, shares[0], 0.05);
        Assert.Equal(shares[0], counts[0] / 40_000.0, 0.01);
    }

    [Fact] // A host-selection retry walks on round the ring.
    public void Pick_Retry_StepsToTheNextPoint()
    {
        var hosts = Create(8);
        var picker = Picker(LoadBalancingPolicies.RingHash, hosts, normalize: true);
        var hash = XxHash64.HashUtf8("session-42");

        var distinct = Enumerable.Range(0, 20).Select(attempt => picker.Pick(Context, hash, attempt)).Distinct().Count();

        Assert.True(distinct > 1);
    }

    [Fact] // Through the balancer, a header hash pins a request to one host.
    public void Pick_ClusterWithHashKey_IsSticky()
    {
        var config = new LoadBalancerConfig { Hash = new HashPolicyConfig { Header = "x-user" } };
        var balancer = Balancer(Create(5), config, LoadBalancingPolicies.RingHash);
        var hash = RequestHash.OfText("alice");

        var hosts = Enumerable.Range(0, 50).Select(i => balancer.Pick(new LoadBalancerContext(new Random(i), hash))).Distinct().ToArray();

        Assert.Single(hosts);
    }
}

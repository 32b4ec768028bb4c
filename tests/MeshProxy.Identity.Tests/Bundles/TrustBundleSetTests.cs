using MeshProxy.Identity.Bundles;
using MeshProxy.Identity.Spiffe;
using Xunit;

namespace MeshProxy.Identity.Tests.Bundles;

public class TrustBundleSetTests
{
    private static readonly TrustDomain A = TrustDomain.Parse("a.example");
    private static readonly TrustDomain B = TrustDomain.Parse("b.example");

    [Fact]
    public void Create_TwoTrustDomains_FindsEachByTrustDomain()
    {
        var set = TrustBundleSet.Create([new TrustBundle(A, []), new TrustBundle(B, [], sequenceNumber: 7)]);
        Assert.Equal(2, set.Count);
        Assert.True(set.TryGetBundle(TrustDomain.Parse("b.example"), out var bundle));
        Assert.Equal(7UL, bundle.SequenceNumber);
        Assert.False(set.TryGetBundle(TrustDomain.Parse("c.example"), out _));
    }

    [Fact]
    public void Create_DuplicateTrustDomain_Throws()
    {
        Assert.Throws<ArgumentException>(() => TrustBundleSet.Create([new TrustBundle(A, []), new TrustBundle(A, [])]));
    }

    [Fact]
    public void With_ExistingTrustDomain_ReplacesWithoutChangingTheOriginal()
    {
        var original = TrustBundleSet.Create([new TrustBundle(A, [], sequenceNumber: 1)]);
        var updated = original.With(new TrustBundle(A, [], sequenceNumber: 2)).With(new TrustBundle(B, []));
        Assert.Equal(2, updated.Count);
        Assert.True(updated.TryGetBundle(A, out var bundle));
        Assert.Equal(2UL, bundle.SequenceNumber);
        Assert.True(original.TryGetBundle(A, out var old));
        Assert.Equal(1UL, old.SequenceNumber);
        Assert.Equal(0, TrustBundleSet.Empty.Count);
    }
}

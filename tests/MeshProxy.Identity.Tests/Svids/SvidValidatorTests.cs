using MeshProxy.Identity.Bundles;
using MeshProxy.Identity.Spiffe;
using MeshProxy.Identity.Svids;
using MeshProxy.Identity.Tests.Support;
using MeshProxy.TestSupport;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace MeshProxy.Identity.Tests.Svids;

public class SvidValidatorTests(OpenSslPki pki) : IClassFixture<OpenSslPki>
{
    // One minute after the certificates were made: inside every validity period.
    private SvidValidator Validator(TimeSpan? shift = null) => new(new FakeTimeProvider(pki.CreatedAt + TimeSpan.FromMinutes(1) + (shift ?? TimeSpan.Zero)));

    private TrustBundleSet BundleA => TrustBundleSet.Create([pki.Bundle(OpenSslPki.ExampleOrg, "rootA")]);

    private SvidValidationResult Validate(string leaf, TrustBundleSet bundles, TimeSpan? shift = null, params string[] intermediates) =>
        Validator(shift).Validate(pki.Load(leaf), [.. intermediates.Select(pki.Load)], bundles);

    [Fact]
    public void Validate_RootIntermediateLeafWithOnlyRootInBundle_Valid()
    {
        var result = Validate("web", BundleA, null, "intermediateA");
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal(OpenSslPki.WebId, result.Id!.ToString());
        Assert.Equal(SvidFailure.None, result.Failure);
    }

    [Fact]
    public void Validate_LeafSignedByRoot_Valid()
    {
        Assert.True(Validate("direct", BundleA).IsValid);
    }

    [Fact]
    public void Validate_IntermediateNotPresented_UntrustedChain()
    {
        AssertFailure(SvidFailure.UntrustedChain, Validate("web", BundleA));
    }

    [Fact]
    public void Validate_ExpiredLeaf_Expired()
    {
        AssertFailure(SvidFailure.Expired, Validate("web", BundleA, TimeSpan.FromDays(2), "intermediateA"));
    }

    [Fact]
    public void Validate_NotYetValidLeaf_NotYetValid()
    {
        AssertFailure(SvidFailure.NotYetValid, Validate("web", BundleA, TimeSpan.FromDays(-1), "intermediateA"));
    }

    [Fact]
    public void Validate_LeafOfATrustDomainWithoutBundle_NoBundleForTrustDomain()
    {
        var result = Validate("otherTdSignedByA", BundleA);
        AssertFailure(SvidFailure.NoBundleForTrustDomain, result);
        Assert.Equal(OpenSslPki.OtherOrg, result.Id!.TrustDomain);
    }

    [Fact]
    public void Validate_SignerRootRegisteredForAnotherTrustDomain_NoBundleForTrustDomain()
    {
        // Root A is known, but only as other.org's authority: bundles are never merged into one pool.
        var bundles = TrustBundleSet.Create([pki.Bundle(OpenSslPki.OtherOrg, "rootA")]);
        AssertFailure(SvidFailure.NoBundleForTrustDomain, Validate("direct", bundles));
    }

    [Fact]
    public void Validate_LeafClaimingOtherTrustDomainSignedByOurRoot_UntrustedChain()
    {
        var bundles = TrustBundleSet.Create([pki.Bundle(OpenSslPki.ExampleOrg, "rootA"), pki.Bundle(OpenSslPki.OtherOrg, "rootB")]);
        AssertFailure(SvidFailure.UntrustedChain, Validate("otherTdSignedByA", bundles));
    }

    [Fact]
    public void Validate_FederatedPeerWithItsOwnBundle_Valid()
    {
        var bundles = TrustBundleSet.Create([pki.Bundle(OpenSslPki.ExampleOrg, "rootA"), pki.Bundle(OpenSslPki.OtherOrg, "rootB")]);
        var result = Validate("federated", bundles);
        Assert.True(result.IsValid, result.ToString());
        Assert.Equal("spiffe://other.org/ns/billing/sa/api", result.Id!.ToString());
    }

    [Fact]
    public void Validate_FederatedPeerWithOnlyOurBundle_NoBundleForTrustDomain()
    {
        AssertFailure(SvidFailure.NoBundleForTrustDomain, Validate("federated", BundleA));
    }

    [Fact]
    public void Validate_UnknownCa_UntrustedChain()
    {
        AssertFailure(SvidFailure.UntrustedChain, Validate("unknownCa", BundleA));
    }

    [Fact]
    public void Validate_EmptyBundleForTrustDomain_UntrustedChain()
    {
        var bundles = TrustBundleSet.Create([new TrustBundle(OpenSslPki.ExampleOrg, [])]);
        AssertFailure(SvidFailure.UntrustedChain, Validate("direct", bundles));
    }

    [Theory]
    [InlineData("twoUris", SvidFailure.MultipleUriSans)]
    [InlineData("noUri", SvidFailure.NoUriSan)]
    [InlineData("leafCa", SvidFailure.LeafIsCa)]
    [InlineData("keyCertSign", SvidFailure.LeafHasKeyCertSign)]
    [InlineData("crlSign", SvidFailure.LeafHasCrlSign)]
    [InlineData("noDigitalSignature", SvidFailure.LeafMissingDigitalSignature)]
    [InlineData("httpsUri", SvidFailure.NotSpiffeUri)]
    [InlineData("malformedPath", SvidFailure.MalformedSpiffeId)]
    [InlineData("rootPath", SvidFailure.MissingPath)]
    public void Validate_BadLeaf_RejectedWithItsReason(string leaf, SvidFailure expected)
    {
        AssertFailure(expected, Validate(leaf, BundleA));
    }

    [Fact]
    public void Validate_MalformedPath_DetailNamesTheSpiffeRule()
    {
        var result = Validate("malformedPath", BundleA);
        Assert.Contains(SpiffeIdErrors.Message(SpiffeIdError.EmptySegment), result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EmptyChain_NoCertificate()
    {
        AssertFailure(SvidFailure.NoCertificate, Validator().Validate([], BundleA));
    }

    [Fact]
    public void Validate_ChainListLeafFirst_UsesTheRestAsIntermediates()
    {
        Assert.True(Validator().Validate([pki.Load("web"), pki.Load("intermediateA")], BundleA).IsValid);
    }

    [Fact]
    public void Validate_ExpiredIntermediateUnderValidLeaf_ChainNotTimeValid()
    {
        // The intermediate lives 1 day, the leaf under it 10 days; two days on, only the intermediate has expired.
        AssertFailure(SvidFailure.ChainNotTimeValid, Validate("longLeaf", BundleA, TimeSpan.FromDays(2), "shortIntermediate"));
        Assert.True(Validate("longLeaf", BundleA, null, "shortIntermediate").IsValid);
    }

    [Fact]
    public void ValidateOwn_IntermediateWithoutKeyCertSign_SigningCertificateNotCa()
    {
        // The openssl "web" leaf presented after itself stands in for a non-CA intermediate.
        var key = File.ReadAllText(Path.Combine(pki.Directory, "direct.key"));
        var chain = File.ReadAllText(Path.Combine(pki.Directory, "direct.pem")) + File.ReadAllText(Path.Combine(pki.Directory, "web.pem"));
        var svid = X509Svid.FromPem(chain, key);
        AssertFailure(SvidFailure.SigningCertificateNotCa, Validator().ValidateOwn(svid, BundleA));
    }

    [Fact]
    public void ValidateOwn_GoodSvid_Valid()
    {
        var key = File.ReadAllText(Path.Combine(pki.Directory, "web.key"));
        var chain = File.ReadAllText(Path.Combine(pki.Directory, "web.pem")) + File.ReadAllText(Path.Combine(pki.Directory, "intermediateA.pem"));
        var svid = X509Svid.FromPem(chain, key);
        Assert.True(Validator().ValidateOwn(svid, BundleA).IsValid);
        Assert.Single(svid.Intermediates);
    }

    private static void AssertFailure(SvidFailure expected, SvidValidationResult result)
    {
        Assert.False(result.IsValid);
        Assert.True(expected == result.Failure, $"expected {expected}, got {result}");
        Assert.False(string.IsNullOrEmpty(result.Detail));
    }
}

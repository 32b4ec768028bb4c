using MeshProxy.Identity.Authority;
using MeshProxy.Identity.Bundles;
using MeshProxy.Identity.Spiffe;
using Xunit;

namespace MeshProxy.Identity.Tests.Bundles;

public class TrustBundleTests
{
    private static readonly TrustDomain Td = TrustDomain.Parse("example.org");
    private static readonly CertificateAuthority RootA = CertificateAuthority.CreateRoot(Td);
    private static readonly CertificateAuthority RootB = CertificateAuthority.CreateRoot(Td);

    private static string Base64(CertificateAuthority ca) => Convert.ToBase64String(ca.Root.RawData);

    [Fact]
    public void FromPem_TwoCertificates_BothAuthorities()
    {
        var bundle = TrustBundle.FromPem(Td, RootA.Root.ExportCertificatePem() + "\n" + RootB.Root.ExportCertificatePem());
        Assert.Equal([RootA.Root.Thumbprint, RootB.Root.Thumbprint], bundle.X509Authorities.Select(c => c.Thumbprint));
        Assert.Null(bundle.SequenceNumber);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not pem")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")]
    public void FromPem_NoOrBadCertificate_Throws(string pem)
    {
        Assert.Throws<TrustBundleFormatException>(() => TrustBundle.FromPem(Td, pem));
    }

    [Fact]
    public void FromDer_ConcatenatedCertificates_BothAuthorities()
    {
        var bundle = TrustBundle.FromDer(Td, [.. RootA.Root.RawData, .. RootB.Root.RawData]);
        Assert.Equal(2, bundle.X509Authorities.Count);
        Assert.Throws<TrustBundleFormatException>(() => TrustBundle.FromDer(Td, [0x30, 0x03, 0x01]));
    }

    [Fact]
    public void FromSpiffeBundleJson_SpecExample_ReadsX509KeysOnly()
    {
        var json = $$"""
            {
              "spiffe_sequence": 12,
              "spiffe_refresh_hint": 2419200,
              "keys": [
                { "kty": "EC", "use": "x509-svid", "x5c": ["{{Base64(RootA)}}", "{{Base64(RootB)}}"], "crv": "P-256" },
                { "kty": "EC", "use": "jwt-svid", "kid": "k1", "x5c": ["{{Base64(RootB)}}"] },
                { "kty": "EC", "use": "unknown-use", "x5c": ["{{Base64(RootB)}}"] },
                { "kty": "EC", "x5c": ["{{Base64(RootB)}}"] },
                { "kty": "EC", "use": "x509-svid" },
                { "kty": "EC", "use": "x509-svid", "x5c": [] }
              ],
              "unknown_member": true
            }
            """;
        var bundle = TrustBundle.FromSpiffeBundleJson(Td, json);
        Assert.Equal(RootA.Root.Thumbprint, Assert.Single(bundle.X509Authorities).Thumbprint);
        Assert.Equal(12UL, bundle.SequenceNumber);
        Assert.Equal(TimeSpan.FromSeconds(2419200), bundle.RefreshHint);
    }

    [Fact]
    public void FromSpiffeBundleJson_EmptyKeys_NoAuthorities()
    {
        Assert.Empty(TrustBundle.FromSpiffeBundleJson(Td, """{"keys": []}""").X509Authorities);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("{\"keys\": {}}")]
    [InlineData("{\"keys\": [], \"spiffe_sequence\": -1}")]
    [InlineData("{\"keys\": [], \"spiffe_refresh_hint\": \"5m\"}")]
    [InlineData("{\"keys\": [{\"use\": \"x509-svid\", \"x5c\": [\"!!!\"]}]}")]
    [InlineData("{\"keys\": [{\"use\": \"x509-svid\", \"x5c\": [\"AAAA\"]}]}")]
    [InlineData("{\"keys\": [")]
    public void FromSpiffeBundleJson_Invalid_Throws(string json)
    {
        Assert.Throws<TrustBundleFormatException>(() => TrustBundle.FromSpiffeBundleJson(Td, json));
    }

    [Fact]
    public void ToSpiffeBundleJson_RoundTrip_SameAuthoritiesAndMetadata()
    {
        var bundle = new TrustBundle(Td, [RootA.Root, RootB.Root], sequenceNumber: 3, refreshHint: TimeSpan.FromMinutes(5));
        var json = bundle.ToSpiffeBundleJson();
        Assert.DoesNotContain("\"kid\"", json, StringComparison.Ordinal);
        var read = TrustBundle.FromText(Td, json);
        Assert.Equal(bundle.X509Authorities.Select(c => c.Thumbprint), read.X509Authorities.Select(c => c.Thumbprint));
        Assert.Equal(3UL, read.SequenceNumber);
        Assert.Equal(TimeSpan.FromMinutes(5), read.RefreshHint);
    }

    [Fact]
    public void FromText_Pem_ReadsPem()
    {
        Assert.Single(TrustBundle.FromText(Td, "\n" + RootA.Bundle.ToPem()).X509Authorities);
    }
}

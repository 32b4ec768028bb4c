using System.Security.Cryptography.X509Certificates;
using MeshProxy.Identity.Authority;
using MeshProxy.Identity.Bundles;
using MeshProxy.Identity.Spiffe;
using MeshProxy.Identity.Svids;
using MeshProxy.Identity.Tests.Support;
using MeshProxy.TestSupport;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace MeshProxy.Identity.Tests.Authority;

public class CertificateAuthorityTests
{
    private static readonly TrustDomain Td = TrustDomain.Parse("cluster.local");
    private static readonly SpiffeId Web = SpiffeId.Parse("spiffe://cluster.local/ns/default/sa/web");

    [Fact]
    public void Issue_DefaultOptions_LeafFollowsTheSvidProfile()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var root = CertificateAuthority.CreateRoot(Td, timeProvider: clock);
        var svid = root.CreateIntermediate("cluster1").Issue(Web);
        var leaf = svid.Leaf;

        Assert.Equal(Web, svid.Id);
        Assert.True(leaf.HasPrivateKey);
        Assert.NotNull(leaf.GetECDsaPublicKey());
        Assert.False(leaf.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, leaf.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages);
        Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"],
            leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value));
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromHours(24), svid.NotAfter);
        Assert.Equal(clock.GetUtcNow() - TimeSpan.FromMinutes(5), new DateTimeOffset(leaf.NotBefore));
        Assert.Single(svid.Intermediates);
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromDays(3650), new DateTimeOffset(root.Root.NotAfter));
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromDays(365), new DateTimeOffset(svid.Intermediates[0].NotAfter));

        var validation = new SvidValidator(clock).ValidateOwn(svid, TrustBundleSet.Create([root.Bundle]));
        Assert.True(validation.IsValid, validation.ToString());
    }

    [Fact]
    public void Issue_Rsa_AddsKeyEnciphermentAndValidates()
    {
        var root = CertificateAuthority.CreateRoot(Td, new CertificateAuthorityOptions { KeyAlgorithm = KeyAlgorithm.Rsa2048 });
        var svid = root.Issue(Web);
        Assert.NotNull(svid.Leaf.GetRSAPublicKey());
        Assert.Equal(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment,
            svid.Leaf.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages);
        Assert.Empty(svid.Intermediates);
        Assert.True(new SvidValidator(TimeProvider.System).ValidateOwn(svid, TrustBundleSet.Create([root.Bundle])).IsValid);
    }

    [Fact]
    public void Issue_LifetimeBeyondIssuer_CappedAtIssuerNotAfter()
    {
        var root = CertificateAuthority.CreateRoot(Td, new CertificateAuthorityOptions { IntermediateLifetime = TimeSpan.FromHours(2) });
        var intermediate = root.CreateIntermediate("short");
        var svid = intermediate.Issue(Web, TimeSpan.FromDays(30));
        Assert.Equal(intermediate.Certificate.NotAfter, svid.Leaf.NotAfter);
    }

    [Theory]
    [InlineData("spiffe://other.local/ns/default/sa/web")]
    [InlineData("spiffe://cluster.local")]
    public void Issue_IdOutsideTrustDomainOrWithoutPath_Throws(string id)
    {
        Assert.Throws<ArgumentException>(() => CertificateAuthority.CreateRoot(Td).Issue(SpiffeId.Parse(id)));
    }

    [Fact]
    public void CreateIntermediate_SharedRootOtherTrustDomain_IssuesForItsTrustDomain()
    {
        var root = CertificateAuthority.CreateRoot(Td);
        var cluster2 = root.CreateIntermediate("cluster2", TrustDomain.Parse("cluster2.local"));
        var svid = cluster2.Issue(SpiffeId.Parse("spiffe://cluster2.local/ns/a/sa/b"));
        var bundles = TrustBundleSet.Create([new TrustBundle(TrustDomain.Parse("cluster2.local"), [root.Root])]);
        Assert.True(new SvidValidator(TimeProvider.System).Validate(svid.Leaf, svid.Intermediates, bundles).IsValid);
    }

    [Fact]
    public void WriteAndRead_TwoLevels_RoundTripsAndIssues()
    {
        using var dir = new TempDirectory();
        var root = CertificateAuthority.CreateRoot(Td);
        var intermediate = root.CreateIntermediate("cluster1").CreateIntermediate("node1");
        CertificateAuthorityFiles.Write(intermediate, dir.File("ca"));
        var read = CertificateAuthorityFiles.Read(dir.File("ca"));

        Assert.Equal(Td, read.TrustDomain);
        Assert.False(read.IsRoot);
        Assert.Single(read.Issuers);
        Assert.Equal(root.Root.Thumbprint, read.Root.Thumbprint);
        var svid = read.Issue(Web);
        Assert.Equal(2, svid.Intermediates.Count);
        Assert.True(new SvidValidator(TimeProvider.System).ValidateOwn(svid, TrustBundleSet.Create([read.Bundle])).IsValid);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.File("ca/ca-key.pem")));
        }
    }

    [Fact]
    public async Task WriteSvid_Files_OpenSslVerifiesTheChain()
    {
        using var dir = new TempDirectory();
        var root = CertificateAuthority.CreateRoot(Td);
        var intermediate = root.CreateIntermediate("cluster1");
        CertificateAuthorityFiles.Write(intermediate, dir.File("intermediate"));
        CertificateAuthorityFiles.WriteSvid(intermediate.Issue(Web), intermediate, dir.File("web"));
        File.WriteAllText(dir.File("leaf.pem"), X509Svid.FromPem(File.ReadAllText(dir.File("web/svid.pem")), File.ReadAllText(dir.File("web/svid-key.pem"))).Leaf.ExportCertificatePem());

        var result = await OpenSsl.RunAsync("verify", "-CAfile", dir.File("web/bundle.pem"), "-untrusted", dir.File("intermediate/ca.pem"), dir.File("leaf.pem"));
        Assert.Contains(": OK", result.StandardOutput, StringComparison.Ordinal);
    }
}

using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MeshProxy.Identity.Authority;
using MeshProxy.Identity.Bundles;
using MeshProxy.Identity.Sources;
using MeshProxy.Identity.Spiffe;
using MeshProxy.Identity.Svids;
using MeshProxy.Identity.Tls;
using Microsoft.Extensions.Logging.Abstractions;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>
/// The identities of a two-cluster mesh, made by the built-in CA as `meshproxy ca` makes them: one root for trust
/// domain cluster.local, an intermediate per cluster, and workload SVIDs. PEM files for openssl and curl are written to
/// a temporary folder, deleted on dispose.
/// </summary>
internal sealed class TwoClusterPki : IDisposable
{
    public static readonly TrustDomain TrustDomain = TrustDomain.Parse("cluster.local");

    /// <summary>The server workload, in cluster 2 behind its gateway.</summary>
    public static readonly SpiffeId Reviews = SpiffeId.ForIstioWorkload(TrustDomain, "default", "reviews");

    /// <summary>The client workload, in cluster 1.</summary>
    public static readonly SpiffeId Productpage = SpiffeId.ForIstioWorkload(TrustDomain, "default", "productpage");

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("meshproxy-pki-");

    public TwoClusterPki()
    {
        Root = CertificateAuthority.CreateRoot(TrustDomain);
        Cluster1 = Root.CreateIntermediate("cluster1");
        Cluster2 = Root.CreateIntermediate("cluster2");
        RootPem = Path.Combine(_directory.FullName, "root.pem");
        File.WriteAllText(RootPem, Root.Root.ExportCertificatePem());
    }

    public CertificateAuthority Root { get; }

    public CertificateAuthority Cluster1 { get; }

    public CertificateAuthority Cluster2 { get; }

    /// <summary>The shared root, the one trust anchor of both clusters.</summary>
    public string RootPem { get; }

    /// <summary>SPIFFE mTLS options for a workload <paramref name="id"/> whose SVID <paramref name="issuer"/> signs, trusting the root.</summary>
    public SpiffeTlsOptionsBuilder Workload(CertificateAuthority issuer, SpiffeId id) => Workload(issuer.Issue(id));

    public SpiffeTlsOptionsBuilder Workload(X509Svid svid)
    {
        var source = new StaticIdentitySource(new IdentitySnapshot(svid, TrustBundleSet.Create([Root.Bundle])), TimeProvider.System);
        return new SpiffeTlsOptionsBuilder(source, TimeProvider.System, NullLogger<SpiffeTlsOptionsBuilder>.Instance);
    }

    /// <summary>Writes an SVID's chain and key as PEM files (for openssl -cert/-key and curl --cert/--key).</summary>
    public (string Chain, string Key) WritePem(X509Svid svid, string name)
    {
        var chain = Path.Combine(_directory.FullName, name + ".pem");
        var key = Path.Combine(_directory.FullName, name + ".key");
        File.WriteAllText(chain, svid.ExportChainPem());
        File.WriteAllText(key, svid.ExportKeyPem());
        return (chain, key);
    }

    /// <summary>
    /// A plain web server certificate with DNS names, signed by <paramref name="issuer"/>, for clients that check host
    /// names (curl --cacert) rather than SPIFFE IDs.
    /// </summary>
    public static SslStreamCertificateContext ServerCertificate(CertificateAuthority issuer, params string[] dnsNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsNames[0]}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames)
        {
            names.AddDnsName(name);
        }
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "serverAuth")], critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer.Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var now = DateTimeOffset.UtcNow;
        using var leaf = request.Create(issuer.Certificate, now.AddMinutes(-5), now.AddHours(1), RandomNumberGenerator.GetBytes(16));
        // Through PKCS#12 so that the key is usable by SslStream on Linux.
        var withKey = X509CertificateLoader.LoadPkcs12(leaf.CopyWithPrivateKey(key).Export(X509ContentType.Pkcs12), null);
        return SslStreamCertificateContext.Create(withKey, [issuer.Certificate], offline: true);
    }

    public void Dispose() => _directory.Delete(recursive: true);
}

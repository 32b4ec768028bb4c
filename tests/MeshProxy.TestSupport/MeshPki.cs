using MeshProxy.Identity.Authority;
using MeshProxy.Identity.Spiffe;
using MeshProxy.Identity.Svids;

namespace MeshProxy.TestSupport;

/// <summary>
/// A mesh's certificates from the built-in CA, written as the files an identity section names: a root for one trust
/// domain, a per-cluster intermediate, and SVIDs issued on demand, now or at another time (for expired and
/// not-yet-valid leaves). The CAs date from a week ago, so such leaves fail for their own dates only. Deleted on dispose.
/// </summary>
public sealed class MeshPki : IDisposable
{
    private readonly TempDirectory _directory = new();

    public MeshPki(string trustDomain = "cluster.local")
    {
        TrustDomain = TrustDomain.Parse(trustDomain);
        var weekAgo = new FixedClock(DateTimeOffset.UtcNow.AddDays(-7));
        Root = CertificateAuthority.CreateRoot(TrustDomain, timeProvider: weekAgo);
        CertificateAuthorityFiles.Write(Root.CreateIntermediate("cluster1"), IssuerDirectory);
        Issuer = CertificateAuthorityFiles.Read(IssuerDirectory);
    }

    private string IssuerDirectory => Path.Combine(Directory, "issuer");

    public TrustDomain TrustDomain { get; }

    public CertificateAuthority Root { get; }

    public CertificateAuthority Issuer { get; }

    public string Directory => _directory.Path;

    /// <summary>The SPIFFE ID of Istio workload ns/sa in this trust domain.</summary>
    public string Id(string serviceAccount, string @namespace = "default") => $"spiffe://{TrustDomain.Name}/ns/{@namespace}/sa/{serviceAccount}";

    /// <summary>Issues an SVID for <paramref name="id"/> into a folder named <paramref name="name"/> (svid.pem, svid-key.pem, bundle.pem).</summary>
    public SvidFiles Issue(string name, string id, TimeSpan? lifetime = null) => Write(name, Issuer.Issue(SpiffeId.Parse(id), lifetime));

    /// <summary>Issues an SVID as if the clock read <paramref name="now"/>: in the past for an expired leaf, in the future for one not yet valid.</summary>
    public SvidFiles IssueAt(string name, string id, DateTimeOffset now, TimeSpan lifetime)
        => Write(name, CertificateAuthorityFiles.Read(IssuerDirectory, timeProvider: new FixedClock(now)).Issue(SpiffeId.Parse(id), lifetime));

    private SvidFiles Write(string name, X509Svid svid)
    {
        var directory = Path.Combine(Directory, name);
        CertificateAuthorityFiles.WriteSvid(svid, Issuer, directory);
        return new SvidFiles(directory);
    }

    public void Dispose() => _directory.Dispose();

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}

/// <summary>One SVID's files, and the identity section that loads them.</summary>
public sealed record SvidFiles(string Directory)
{
    public string Certificate => Path.Combine(Directory, CertificateAuthorityFiles.SvidCertificate);

    public string Key => Path.Combine(Directory, CertificateAuthorityFiles.SvidKey);

    public string Bundle => Path.Combine(Directory, CertificateAuthorityFiles.BundlePem);

    /// <summary>Federated bundles go here, one file per trust domain.</summary>
    public string FederatedBundles => Path.Combine(Directory, "federated");

    public string IdentityYaml(bool federated = false) => $"""
        identity:
          files:
            certificateChain: {Certificate}
            privateKey: {Key}
            bundle: {Bundle}
        {(federated ? $"    federatedBundles: {FederatedBundles}" : "")}
        """;
}

using MeshProxy.Identity.Authority;
using MeshProxy.Identity.Bundles;
using MeshProxy.Identity.Sources;
using MeshProxy.Identity.Spiffe;
using MeshProxy.Identity.Tls;
using Microsoft.Extensions.Logging.Abstractions;

namespace MeshProxy.Identity.Tests.Support;

/// <summary>Identities made by the built-in CA: root, intermediate, leaf, with the matching bundle set.</summary>
public static class TestIdentities
{
    public static readonly TrustDomain ClusterLocal = TrustDomain.Parse("cluster.local");
    public static readonly SpiffeId Server = SpiffeId.Parse("spiffe://cluster.local/ns/default/sa/server");
    public static readonly SpiffeId Client = SpiffeId.Parse("spiffe://cluster.local/ns/default/sa/client");

    /// <summary>A static source for <paramref name="id"/> issued by an intermediate of <paramref name="root"/>, trusting <paramref name="bundles"/>.</summary>
    public static StaticIdentitySource Source(CertificateAuthority root, SpiffeId id, params TrustBundle[] extraBundles)
    {
        var issuer = root.CreateIntermediate("cluster1", id.TrustDomain);
        var bundles = TrustBundleSet.Create([new TrustBundle(id.TrustDomain, [root.Root]), .. extraBundles]);
        return new StaticIdentitySource(new IdentitySnapshot(issuer.Issue(id), bundles), TimeProvider.System);
    }

    public static SpiffeTlsOptionsBuilder Builder(IIdentitySource source) =>
        new(source, TimeProvider.System, NullLogger<SpiffeTlsOptionsBuilder>.Instance);
}

using MeshProxy.Identity.Bundles;
using MeshProxy.Identity.Svids;

namespace MeshProxy.Identity.Sources;

/// <summary>
/// What an identity source currently provides, swapped as one unit so a handshake never sees a new SVID with old
/// bundles: this workload's SVID and the trust bundles it validates peers with (its own trust domain's and the
/// federated ones).
/// </summary>
/// <param name="Svid">The default X.509-SVID (the Workload API's first).</param>
/// <param name="Bundles">The trust bundle set.</param>
public sealed record IdentitySnapshot(X509Svid Svid, TrustBundleSet Bundles);

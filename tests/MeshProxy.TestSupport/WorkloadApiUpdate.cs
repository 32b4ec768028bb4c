using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MeshProxy.Identity.Svids;

namespace MeshProxy.TestSupport;

/// <summary>
/// One message of the Workload API's X.509 stream (X509SVIDResponse), as a test writes it: the full state, so a
/// federated bundle missing from a later update is dropped by the client.
/// </summary>
/// <param name="Svids">The workload's SVIDs; the first is the one a client uses. Empty is legal on the wire.</param>
public sealed record WorkloadApiUpdate(IReadOnlyList<WorkloadApiSvid> Svids)
{
    /// <summary>Other trust domains' roots as concatenated DER, keyed <c>spiffe://td</c> (or <c>td</c>).</summary>
    public IReadOnlyDictionary<string, byte[]> FederatedBundles { get; init; } = new Dictionary<string, byte[]>();

    /// <summary>One SVID trusting <paramref name="bundle"/>, with no federation.</summary>
    public static WorkloadApiUpdate For(X509Svid svid, X509Certificate2 bundle) => new([WorkloadApiSvid.From(svid, bundle)]);

    /// <summary>This update plus <paramref name="trustDomain"/>'s root as a federated bundle.</summary>
    public WorkloadApiUpdate Federating(string trustDomain, X509Certificate2 root)
        => this with { FederatedBundles = new Dictionary<string, byte[]>(FederatedBundles) { ["spiffe://" + trustDomain] = root.RawData } };
}

/// <summary>One X509SVID message, encoded as the Workload API sends it; a test may swap any part to send a bad one.</summary>
/// <param name="Chain">Leaf then intermediates, concatenated DER.</param>
/// <param name="Key">The leaf's private key, PKCS#8 DER.</param>
/// <param name="Bundle">The SVID's own trust domain roots, concatenated DER.</param>
public sealed record WorkloadApiSvid(string SpiffeId, byte[] Chain, byte[] Key, byte[] Bundle)
{
    public static WorkloadApiSvid From(X509Svid svid, X509Certificate2 bundle)
    {
        var keyPem = svid.ExportKeyPem();
        var key = Convert.FromBase64String(keyPem[PemEncoding.Find(keyPem).Base64Data]);
        byte[] chain = [.. svid.Leaf.RawData, .. svid.Intermediates.SelectMany(certificate => certificate.RawData)];
        return new WorkloadApiSvid(svid.Id.ToString(), chain, key, bundle.RawData);
    }
}

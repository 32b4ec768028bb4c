using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MeshProxy.Identity.Spiffe;
using MeshProxy.Identity.Svids;

namespace MeshProxy.Identity.Bundles;

/// <summary>
/// One trust domain's X.509 authorities (the roots that may sign its SVIDs), with the optional
/// <c>spiffe_sequence</c> and <c>spiffe_refresh_hint</c> of the SPIFFE bundle format
/// (standards/SPIFFE_Trust_Domain_and_Bundle.md §4). Immutable. An empty authority list is legal and means every
/// SVID of the trust domain is untrusted (§4.1.3).
/// </summary>
public sealed class TrustBundle
{
    private readonly X509Certificate2Collection _authorityCollection;

    /// <summary>Creates a bundle.</summary>
    public TrustBundle(TrustDomain trustDomain, IEnumerable<X509Certificate2> x509Authorities, ulong? sequenceNumber = null, TimeSpan? refreshHint = null)
    {
        ArgumentNullException.ThrowIfNull(trustDomain);
        TrustDomain = trustDomain;
        X509Authorities = [.. x509Authorities];
        SequenceNumber = sequenceNumber;
        RefreshHint = refreshHint;
        _authorityCollection = [.. X509Authorities];
    }

    /// <summary>The trust domain these authorities are for.</summary>
    public TrustDomain TrustDomain { get; }

    /// <summary>The X.509 authorities (root certificates), in file order.</summary>
    public IReadOnlyList<X509Certificate2> X509Authorities { get; }

    /// <summary><c>spiffe_sequence</c>: increases whenever the bundle changes; null when not given.</summary>
    public ulong? SequenceNumber { get; }

    /// <summary><c>spiffe_refresh_hint</c> (whole seconds in the JSON); null when not given (the spec suggests polling every 5 minutes then).</summary>
    public TimeSpan? RefreshHint { get; }

    /// <summary>The authorities as a collection for <see cref="X509ChainPolicy.CustomTrustStore"/>; do not modify.</summary>
    internal X509Certificate2Collection AuthorityCollection => _authorityCollection;

    /// <summary>Reads every certificate of a PEM text. Throws <see cref="TrustBundleFormatException"/>.</summary>
    public static TrustBundle FromPem(TrustDomain trustDomain, string pem)
    {
        try
        {
            var certificates = CertificateDecoder.ReadPem(pem);
            return certificates.Count > 0
                ? new TrustBundle(trustDomain, certificates)
                : throw new TrustBundleFormatException($"The PEM bundle for {trustDomain} holds no certificate.");
        }
        catch (CryptographicException e)
        {
            throw new TrustBundleFormatException($"The PEM bundle for {trustDomain} cannot be read: {e.Message}", e);
        }
    }

    /// <summary>Reads concatenated DER certificates (the Workload API's encoding). Throws <see cref="TrustBundleFormatException"/>.</summary>
    public static TrustBundle FromDer(TrustDomain trustDomain, ReadOnlySpan<byte> der)
    {
        try
        {
            return new TrustBundle(trustDomain, CertificateDecoder.ReadConcatenatedDer(der));
        }
        catch (CryptographicException e)
        {
            throw new TrustBundleFormatException($"The DER bundle for {trustDomain} cannot be read: {e.Message}", e);
        }
    }

    /// <summary>Reads a SPIFFE bundle (JWKS JSON). Throws <see cref="TrustBundleFormatException"/>.</summary>
    public static TrustBundle FromSpiffeBundleJson(TrustDomain trustDomain, string json) => SpiffeBundleJson.Parse(trustDomain, json);

    /// <summary>
    /// Reads a bundle file: SPIFFE bundle JSON when the text starts with <c>{</c>, PEM otherwise. Throws
    /// <see cref="TrustBundleFormatException"/>.
    /// </summary>
    public static TrustBundle FromText(TrustDomain trustDomain, string text) =>
        text.AsSpan().TrimStart().StartsWith("{", StringComparison.Ordinal) ? FromSpiffeBundleJson(trustDomain, text) : FromPem(trustDomain, text);

    /// <summary>Writes this bundle as a SPIFFE bundle (JWKS JSON).</summary>
    public string ToSpiffeBundleJson() => SpiffeBundleJson.Write(this);

    /// <summary>The authorities as PEM.</summary>
    public string ToPem() => CertificatePem.Write(X509Authorities);

    public override string ToString() => $"{TrustDomain}: {X509Authorities.Count} authorities" + (SequenceNumber is { } sequence ? $", sequence {sequence}" : "");
}

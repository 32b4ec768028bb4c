using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MeshProxy.Identity.Bundles;
using MeshProxy.Identity.Spiffe;

namespace MeshProxy.Identity.Svids;

/// <summary>
/// Validates X.509-SVIDs (X509-SVID.md §5). A peer's leaf must carry exactly one URI SAN holding a SPIFFE ID with a
/// path, must not be a CA, must have digitalSignature and neither keyCertSign nor cRLSign, must be inside its
/// validity period, and its chain (with the intermediates it presented) must lead to an authority of the bundle of
/// the peer's own trust domain: never a merged pool. Path validation is the BCL's RFC 5280 <see cref="X509Chain"/>
/// with custom root trust, no revocation and no certificate downloads, at the injected clock's time.
/// Never throws for bad input: every failure is a <see cref="SvidValidationResult"/>.
/// </summary>
public sealed class SvidValidator
{
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a validator reading the time from <paramref name="timeProvider"/>.</summary>
    public SvidValidator(TimeProvider timeProvider) => _timeProvider = timeProvider;

    /// <summary>Validates a peer's certificate chain (leaf first) against <paramref name="bundles"/>.</summary>
    public SvidValidationResult Validate(IReadOnlyList<X509Certificate2> chain, TrustBundleSet bundles) =>
        chain.Count == 0
            ? SvidValidationResult.Invalid(SvidFailure.NoCertificate, "empty certificate chain")
            : Validate(chain[0], chain.Count == 1 ? [] : [.. chain.Skip(1)], bundles);

    /// <summary>Validates a peer's leaf with the intermediates it presented against <paramref name="bundles"/>.</summary>
    public SvidValidationResult Validate(X509Certificate2 leaf, IReadOnlyList<X509Certificate2> intermediates, TrustBundleSet bundles)
    {
        try
        {
            return ValidateUnchecked(leaf, intermediates, bundles);
        }
        catch (CryptographicException e)
        {
            // The BCL decodes extensions lazily; a malformed one surfaces here instead of failing the caller.
            return SvidValidationResult.Invalid(SvidFailure.MalformedCertificate, "a certificate extension cannot be decoded: " + e.Message);
        }
    }

    private SvidValidationResult ValidateUnchecked(X509Certificate2 leaf, IReadOnlyList<X509Certificate2> intermediates, TrustBundleSet bundles)
    {
        var result = SvidRules.ReadSpiffeId(leaf);
        if (!result.IsValid)
        {
            return result;
        }
        var id = result.Id!;
        result = SvidRules.CheckLeaf(leaf, id);
        if (!result.IsValid)
        {
            return result;
        }
        var now = _timeProvider.GetUtcNow();
        result = SvidRules.CheckValidity(leaf, id, now);
        if (!result.IsValid)
        {
            return result;
        }
        if (!bundles.TryGetBundle(id.TrustDomain, out var bundle))
        {
            return SvidValidationResult.Invalid(SvidFailure.NoBundleForTrustDomain, $"no trust bundle for trust domain '{id.TrustDomain}'", id);
        }
        return VerifyChain(leaf, intermediates, bundle, id, now);
    }

    /// <summary>
    /// Validates this workload's own SVID before it is used: the peer rules against its trust domain's bundle,
    /// plus go-spiffe's load-time rule that every certificate after the leaf is a signing certificate.
    /// </summary>
    public SvidValidationResult ValidateOwn(X509Svid svid, TrustBundleSet bundles)
    {
        var result = Validate(svid.Leaf, svid.Intermediates, bundles);
        return result.IsValid ? SvidRules.CheckSigningCertificates(svid.Intermediates, svid.Id) : result;
    }

    private static SvidValidationResult VerifyChain(X509Certificate2 leaf, IReadOnlyList<X509Certificate2> intermediates, TrustBundle bundle, SpiffeId id, DateTimeOffset now)
    {
        if (bundle.X509Authorities.Count == 0)
        {
            return SvidValidationResult.Invalid(SvidFailure.UntrustedChain, $"the bundle of '{id.TrustDomain}' has no X.509 authority", id);
        }

        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(bundle.AuthorityCollection);
        foreach (var intermediate in intermediates)
        {
            policy.ExtraStore.Add(intermediate);
        }
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.VerificationTime = now.UtcDateTime;

        if (chain.Build(leaf))
        {
            return SvidValidationResult.Valid(id);
        }

        var flags = X509ChainStatusFlags.NoError;
        foreach (var status in chain.ChainStatus)
        {
            flags |= status.Status;
        }
        var detail = $"chain to the '{id.TrustDomain}' bundle failed: {flags}";
        const X509ChainStatusFlags untrusted = X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain | X509ChainStatusFlags.NotSignatureValid;
        if ((flags & untrusted) != 0)
        {
            return SvidValidationResult.Invalid(SvidFailure.UntrustedChain, detail, id);
        }
        return (flags & X509ChainStatusFlags.NotTimeValid) != 0
            ? SvidValidationResult.Invalid(SvidFailure.ChainNotTimeValid, detail, id)
            : SvidValidationResult.Invalid(SvidFailure.InvalidChain, detail, id);
    }
}

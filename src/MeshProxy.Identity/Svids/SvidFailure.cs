namespace MeshProxy.Identity.Svids;

/// <summary>
/// Why an X.509-SVID was rejected. One value per rule (standards/X509-SVID.md §2-§5 and go-spiffe
/// svid/x509svid), stable enough to be a metrics label: <see cref="SvidFailures.Label"/> gives the snake_case
/// name.
/// </summary>
public enum SvidFailure
{
    /// <summary>The SVID is valid.</summary>
    None = 0,

    /// <summary>No certificate was presented (an empty chain, or a TLS peer that sent none).</summary>
    NoCertificate,

    /// <summary>A certificate could not be decoded.</summary>
    MalformedCertificate,

    /// <summary>The leaf has no URI SAN.</summary>
    NoUriSan,

    /// <summary>The leaf has more than one URI SAN (X509-SVID.md §2: MUST be rejected).</summary>
    MultipleUriSans,

    /// <summary>The URI SAN is not a <c>spiffe://</c> URI.</summary>
    NotSpiffeUri,

    /// <summary>The URI SAN has the <c>spiffe</c> scheme but breaks a SPIFFE-ID rule (the detail names it).</summary>
    MalformedSpiffeId,

    /// <summary>The leaf's SPIFFE ID has no path (a trust domain ID belongs to a signing certificate, §3.1).</summary>
    MissingPath,

    /// <summary>The leaf has basic constraints cA=true.</summary>
    LeafIsCa,

    /// <summary>The leaf's key usage lacks digitalSignature (or the extension is missing).</summary>
    LeafMissingDigitalSignature,

    /// <summary>The leaf's key usage has keyCertSign.</summary>
    LeafHasKeyCertSign,

    /// <summary>The leaf's key usage has cRLSign.</summary>
    LeafHasCrlSign,

    /// <summary>The leaf's notBefore is after the validation time.</summary>
    NotYetValid,

    /// <summary>The leaf's notAfter is before the validation time.</summary>
    Expired,

    /// <summary>There is no trust bundle for the trust domain of the leaf's SPIFFE ID.</summary>
    NoBundleForTrustDomain,

    /// <summary>The chain does not lead to an authority of the peer's trust-domain bundle (unknown CA, bad signature).</summary>
    UntrustedChain,

    /// <summary>An intermediate or root of the chain is outside its validity period.</summary>
    ChainNotTimeValid,

    /// <summary>The chain breaks another RFC 5280 rule (basic constraints, name constraints, ...; the detail lists them).</summary>
    InvalidChain,

    /// <summary>Own SVID only: a certificate after the leaf is not a CA with keyCertSign.</summary>
    SigningCertificateNotCa,

    /// <summary>Own SVID only: the private key cannot be read or its algorithm is not supported (RSA and ECDSA are).</summary>
    InvalidPrivateKey,

    /// <summary>Own SVID only: the private key does not match the leaf's public key.</summary>
    PrivateKeyMismatch,

    /// <summary>Own SVID only: the SPIFFE ID announced beside the SVID differs from the leaf's URI SAN.</summary>
    IdMismatch,

    /// <summary>The SVID is valid but its SPIFFE ID is not allowed by the authorization policy.</summary>
    NotAuthorized,
}

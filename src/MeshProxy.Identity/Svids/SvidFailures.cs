namespace MeshProxy.Identity.Svids;

/// <summary>Metrics labels for <see cref="SvidFailure"/>: snake_case, fixed, allocation-free.</summary>
public static class SvidFailures
{
    /// <summary>The label for <paramref name="failure"/>, e.g. <c>untrusted_chain</c>; <c>none</c> when valid.</summary>
    public static string Label(SvidFailure failure) => failure switch
    {
        SvidFailure.None => "none",
        SvidFailure.NoCertificate => "no_certificate",
        SvidFailure.MalformedCertificate => "malformed_certificate",
        SvidFailure.NoUriSan => "no_uri_san",
        SvidFailure.MultipleUriSans => "multiple_uri_sans",
        SvidFailure.NotSpiffeUri => "not_spiffe_uri",
        SvidFailure.MalformedSpiffeId => "malformed_spiffe_id",
        SvidFailure.MissingPath => "missing_path",
        SvidFailure.LeafIsCa => "leaf_is_ca",
        SvidFailure.LeafMissingDigitalSignature => "leaf_missing_digital_signature",
        SvidFailure.LeafHasKeyCertSign => "leaf_has_key_cert_sign",
        SvidFailure.LeafHasCrlSign => "leaf_has_crl_sign",
        SvidFailure.NotYetValid => "not_yet_valid",
        SvidFailure.Expired => "expired",
        SvidFailure.NoBundleForTrustDomain => "no_bundle_for_trust_domain",
        SvidFailure.UntrustedChain => "untrusted_chain",
        SvidFailure.ChainNotTimeValid => "chain_not_time_valid",
        SvidFailure.InvalidChain => "invalid_chain",
        SvidFailure.SigningCertificateNotCa => "signing_certificate_not_ca",
        SvidFailure.InvalidPrivateKey => "invalid_private_key",
        SvidFailure.PrivateKeyMismatch => "private_key_mismatch",
        SvidFailure.IdMismatch => "id_mismatch",
        SvidFailure.NotAuthorized => "not_authorized",
        _ => throw new ArgumentOutOfRangeException(nameof(failure), failure, null),
    };
}

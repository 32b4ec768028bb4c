namespace MeshProxy.Identity.Authority;

/// <summary>Lifetimes and key type of the built-in CA's certificates.</summary>
public sealed record CertificateAuthorityOptions
{
    /// <summary>Lifetime of a root. Default 10 years (3650 days).</summary>
    public TimeSpan RootLifetime { get; init; } = TimeSpan.FromDays(3650);

    /// <summary>Lifetime of an intermediate. Default 1 year (365 days).</summary>
    public TimeSpan IntermediateLifetime { get; init; } = TimeSpan.FromDays(365);

    /// <summary>Lifetime of a leaf SVID. Default 24 hours.</summary>
    public TimeSpan LeafLifetime { get; init; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How far notBefore is set back from "now", so peers whose clocks run slightly behind accept a fresh
    /// certificate. Default 5 minutes.
    /// </summary>
    public TimeSpan Backdate { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The key algorithm of new keys. Default ECDSA P-256.</summary>
    public KeyAlgorithm KeyAlgorithm { get; init; } = KeyAlgorithm.EcdsaP256;
}

/// <summary>Key algorithms the built-in CA can generate.</summary>
public enum KeyAlgorithm
{
    /// <summary>ECDSA on NIST P-256 with SHA-256 signatures (the default, as in Istio and SPIRE).</summary>
    EcdsaP256,

    /// <summary>RSA 2048 with PKCS#1 v1.5 SHA-256 signatures.</summary>
    Rsa2048,
}

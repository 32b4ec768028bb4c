namespace MeshProxy.Configuration;

/// <summary>
/// Where this proxy's SPIFFE identity (its X.509-SVID and the trust bundles) comes from. Needed by any mTLS setting.
/// Both sources rotate without a restart. Identity is read at start; a reload that changes it applies at restart.
/// </summary>
public sealed record IdentityConfig
{
    /// <summary>PEM files on disk, watched for changes (for example a Kubernetes secret mount).</summary>
    public IdentityFilesConfig? Files { get; init; }

    /// <summary>The SPIFFE Workload API (SPIRE agent). Mutually exclusive with <see cref="Files"/>.</summary>
    public WorkloadApiConfig? WorkloadApi { get; init; }

    public bool IsConfigured => Files is not null || WorkloadApi is not null;
}

/// <summary>SVID and bundles from files.</summary>
public sealed record IdentityFilesConfig
{
    /// <summary>The leaf certificate followed by its intermediates (PEM). Required.</summary>
    public required string CertificateChain { get; init; }

    /// <summary>The leaf's private key (PKCS#8, SEC1 or PKCS#1 PEM). Required.</summary>
    public required string PrivateKey { get; init; }

    /// <summary>The own trust domain's bundle: PEM roots or a SPIFFE bundle (JWKS). Required.</summary>
    public required string Bundle { get; init; }

    /// <summary>A directory of federated bundles, one file per trust domain named &lt;trust-domain&gt;.pem or .json. Optional.</summary>
    public string? FederatedBundles { get; init; }
}

/// <summary>The SPIFFE Workload API endpoint.</summary>
public sealed record WorkloadApiConfig
{
    /// <summary>unix:///path or tcp://ip:port. Default: the SPIFFE_ENDPOINT_SOCKET environment variable.</summary>
    public string? Socket { get; init; }
}

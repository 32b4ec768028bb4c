namespace MeshProxy.Identity.Sources;

/// <summary>Where <see cref="FileIdentitySource"/> reads the identity from and how often it re-checks.</summary>
public sealed record FileIdentitySourceOptions
{
    /// <summary>PEM file with the SVID leaf first, then its intermediates. Required.</summary>
    public required string CertificateChainPath { get; init; }

    /// <summary>PEM file with the SVID's private key (PKCS#8, or SEC1/PKCS#1). Required.</summary>
    public required string PrivateKeyPath { get; init; }

    /// <summary>The bundle of the SVID's own trust domain: PEM certificates or SPIFFE bundle JSON. Required.</summary>
    public required string BundlePath { get; init; }

    /// <summary>
    /// Optional folder of federated bundles, one file per foreign trust domain named <c>TRUST_DOMAIN.pem</c> or
    /// <c>TRUST_DOMAIN.json</c> (SPIFFE bundle). The trust domain comes from the file name, never from the content
    /// (SPIFFE_Federation.md §7.2). Default: none.
    /// </summary>
    public string? FederatedBundlesDirectory { get; init; }

    /// <summary>
    /// How often file contents are hashed to catch changes the file-system watcher misses (Kubernetes Secret
    /// volumes swap a symlink). Default 2 seconds.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long to wait after a file event before reading, so a writer can finish all files. Default 100 ms.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(100);
}

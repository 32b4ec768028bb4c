using MeshProxy.Utilities;

namespace MeshProxy.Configuration;

/// <summary>
/// Mutual TLS towards a cluster's endpoints (Istio's ISTIO_MUTUAL): present this proxy's SVID, verify the server's
/// SVID against the allowed SPIFFE IDs, offer ALPN h2 and http/1.1 (never istio-peer-exchange), and send SNI.
/// </summary>
public sealed record UpstreamTlsConfig
{
    public UpstreamTlsMode Mode { get; init; } = UpstreamTlsMode.IstioMutual;

    /// <summary>Exact SPIFFE IDs the server may have. With <see cref="TrustDomains"/> empty too: any ID of our own trust domain.</summary>
    public EquatableArray<string> ServerIds { get; init; } = EquatableArray<string>.Empty;

    /// <summary>Trust domains whose every ID is allowed (federation).</summary>
    public EquatableArray<string> TrustDomains { get; init; } = EquatableArray<string>.Empty;

    /// <summary>The SNI to send. Default: Istio's outbound_.&lt;servicePort&gt;_.&lt;subset&gt;_.&lt;service&gt; when the cluster has a servicePort (what an east-west gateway routes by), else none.</summary>
    public string? Sni { get; init; }
}

public enum UpstreamTlsMode
{
    /// <summary>Mesh mutual TLS with SPIFFE identities.</summary>
    IstioMutual,
}

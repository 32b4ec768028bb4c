using MeshProxy.Utilities;

namespace MeshProxy.Configuration;

/// <summary>
/// Istio's AUTO_PASSTHROUGH on a tls listener: a ClientHello whose server name is
/// <c>outbound_.&lt;port&gt;_.&lt;subset&gt;_.&lt;fqdn&gt;</c> is passed through to the cluster that declares that service
/// (<see cref="ClusterConfig.Service"/>), port (<see cref="ClusterConfig.ServicePort"/>) and subset
/// (<see cref="ClusterConfig.Subset"/>), without a route of its own (istiod builds one filter chain per service port and
/// subset the same way: pilot/pkg/networking/core/gateway.go, builtAutoPassthroughFilterChains).
/// </summary>
public sealed record AutoPassthroughConfig
{
    /// <summary>Istio's allIstioMtlsALPNs: what an Istio sidecar offers when it originates mTLS.</summary>
    public static EquatableArray<string> IstioMtlsApplicationProtocols { get; } =
        new(["istio", "istio-peer-exchange", "istio-http/1.0", "istio-http/1.1", "istio-h2"]);

    /// <summary>
    /// The services exposed (the Gateway server's hosts): exact names, <c>*.suffix</c> (Istio's <c>*.local</c>) or
    /// <c>*</c>, compared without case. Default: <c>*</c>.
    /// </summary>
    public EquatableArray<string> Hosts { get; init; } = new(["*"]);

    /// <summary>
    /// The ALPN protocols of which the client must offer at least one, so that only mTLS from mesh sidecars gets
    /// through. Default: Istio's <see cref="IstioMtlsApplicationProtocols"/>. Empty: any.
    /// </summary>
    public EquatableArray<string> ApplicationProtocols { get; init; } = IstioMtlsApplicationProtocols;

    /// <summary>A relay with no bytes in either direction for this long is closed. Default 1h; zero disables.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromHours(1);
}

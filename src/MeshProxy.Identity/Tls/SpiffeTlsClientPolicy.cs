using System.Net.Security;

namespace MeshProxy.Identity.Tls;

/// <summary>How a client (outbound) mTLS handshake verifies the server.</summary>
public sealed record SpiffeTlsClientPolicy
{
    /// <summary>Which server SPIFFE IDs are accepted: exact IDs or whole trust domains. Required.</summary>
    public required SpiffeIdMatcher AuthorizedServers { get; init; }

    /// <summary>The SNI server name, e.g. Istio's <c>outbound_.8080_._.web.default.svc.cluster.local</c>. Default: none sent.</summary>
    public string? ServerName { get; init; }

    /// <summary>ALPN protocols offered, by preference. Default <c>h2</c>, <c>http/1.1</c>. <c>istio-peer-exchange</c> is refused.</summary>
    public IReadOnlyList<SslApplicationProtocol> ApplicationProtocols { get; init; } = AlpnProtocols.Default;
}

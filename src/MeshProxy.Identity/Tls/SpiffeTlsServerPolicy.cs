using System.Net.Security;

namespace MeshProxy.Identity.Tls;

/// <summary>How a server (inbound) mTLS handshake authenticates and authorizes clients.</summary>
public sealed record SpiffeTlsServerPolicy
{
    /// <summary>
    /// Whether a client certificate is required. Default true (Istio's inbound <c>RequireClientCertificate</c>).
    /// When false, a client without a certificate is let through unauthenticated; one that presents an invalid
    /// certificate is still refused.
    /// </summary>
    public bool ClientCertificateRequired { get; init; } = true;

    /// <summary>Which authenticated clients are authorized. Default <see cref="SpiffeIdMatcher.Any"/>.</summary>
    public SpiffeIdMatcher AuthorizedClients { get; init; } = SpiffeIdMatcher.Any;

    /// <summary>ALPN protocols the server accepts, by preference. Default <c>h2</c>, <c>http/1.1</c>. <c>istio-peer-exchange</c> is refused.</summary>
    public IReadOnlyList<SslApplicationProtocol> ApplicationProtocols { get; init; } = AlpnProtocols.Default;
}

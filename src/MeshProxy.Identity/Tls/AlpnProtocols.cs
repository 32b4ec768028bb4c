using System.Net.Security;

namespace MeshProxy.Identity.Tls;

/// <summary>
/// ALPN lists for sidecar mTLS. <c>istio-peer-exchange</c> is never offered nor accepted: negotiating it makes Envoy
/// peers inject and expect TCP metadata-exchange bytes that this proxy does not speak (istio/proxy
/// metadata_exchange; see docs/identity.md).
/// </summary>
public static class AlpnProtocols
{
    /// <summary>Istio's TCP metadata exchange protocol id, refused here.</summary>
    public const string IstioPeerExchange = "istio-peer-exchange";

    /// <summary><c>h2</c>, <c>http/1.1</c>: Istio's <c>ALPNDownstream</c> / <c>ALPNHttp</c>.</summary>
    public static IReadOnlyList<SslApplicationProtocol> Default { get; } = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    /// <summary>A mutable copy for <c>SslAuthenticationOptions.ApplicationProtocols</c>; throws if <c>istio-peer-exchange</c> is present.</summary>
    internal static List<SslApplicationProtocol> Checked(IReadOnlyList<SslApplicationProtocol> protocols)
    {
        foreach (var protocol in protocols)
        {
            if (protocol.Protocol.Span.SequenceEqual("istio-peer-exchange"u8))
            {
                throw new ArgumentException($"ALPN '{IstioPeerExchange}' needs TCP metadata exchange, which meshproxy does not implement.", nameof(protocols));
            }
        }
        return [.. protocols];
    }
}

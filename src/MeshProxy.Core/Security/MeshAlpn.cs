using System.Net.Security;

namespace MeshProxy.Security;

/// <summary>
/// ALPN for sidecar-to-sidecar mTLS, as Istio's sidecars use it (docs/security.md). Clients offer Istio's forms for
/// the protocol they carry; servers negotiate h2 or http/1.1, or "istio" for opaque TCP. istio-peer-exchange is never
/// used: it would make Envoy peers send TCP metadata-exchange bytes this proxy does not speak.
/// </summary>
internal static class MeshAlpn
{
    public static readonly SslApplicationProtocol Istio = new("istio");

    /// <summary>What an inbound listener accepts, by preference.</summary>
    public static readonly IReadOnlyList<SslApplicationProtocol> Server = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11, Istio];

    /// <summary>Istio's istio.alpn filter for HTTP/1.1 upstreams.</summary>
    public static readonly IReadOnlyList<SslApplicationProtocol> Http11Client = [new("istio-http/1.1"), Istio, SslApplicationProtocol.Http11];

    /// <summary>Istio's istio.alpn filter for HTTP/2 upstreams.</summary>
    public static readonly IReadOnlyList<SslApplicationProtocol> Http2Client = [new("istio-h2"), Istio, SslApplicationProtocol.Http2];

    /// <summary>Istio's ALPNInMesh for TCP.</summary>
    public static readonly IReadOnlyList<SslApplicationProtocol> TcpClient = [Istio];

    /// <summary>Whether a ClientHello offered one of Istio's mTLS protocols ("istio", "istio-h2", ...): the PERMISSIVE test for mesh traffic.</summary>
    public static bool IsMeshProtocol(ReadOnlySpan<byte> protocol) => protocol.StartsWith("istio"u8);
}

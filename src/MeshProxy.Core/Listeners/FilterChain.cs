using MeshProxy.Configuration;

namespace MeshProxy.Listeners;

/// <summary>How one connection is handled, once its destination has chosen a filter chain (or the default).</summary>
public sealed record FilterChain(string Name, HttpListenerConfig? Http, TcpListenerConfig? Tcp, bool IsBlackHole)
{
    /// <summary>Whether TLS from clients is terminated as mesh mTLS, and whether plaintext is refused.</summary>
    public DownstreamTlsMode TlsMode { get; init; }

    /// <summary>Istio's REGISTRY_ONLY default: HTTP gets 502, anything else is closed.</summary>
    public static FilterChain BlackHole { get; } = new("BlackHole", null, null, IsBlackHole: true);
}

namespace MeshProxy.Configuration;

/// <summary>How a listener or filter chain treats TLS from its clients (Istio's PeerAuthentication mode).</summary>
public sealed record DownstreamTlsConfig
{
    public DownstreamTlsMode Mode { get; init; } = DownstreamTlsMode.Disable;
}

public enum DownstreamTlsMode
{
    /// <summary>No termination: TLS from clients is relayed as it is (to an app that speaks TLS itself).</summary>
    Disable,

    /// <summary>Mutual TLS or plaintext: TLS is terminated as mesh mTLS (a client certificate is required), plaintext passes.</summary>
    Permissive,

    /// <summary>Mutual TLS only: plaintext is refused, and a client without a valid SVID fails the handshake.</summary>
    Strict,
}

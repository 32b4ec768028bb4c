using System.Net;
using MeshProxy.Utilities;

namespace MeshProxy.Configuration;

/// <summary>
/// A way of handling the connections of a listener that match <see cref="Match"/> (Envoy's FilterChain).
/// On a capture listener this is how traffic to a known service (by its original destination address and port) is
/// routed, while other traffic takes the listener's default handling.
/// </summary>
public sealed record FilterChainConfig
{
    public required string Name { get; init; }

    public FilterChainMatchConfig Match { get; init; } = new();

    /// <summary>The TLS mode of matching connections (Istio's per-port PeerAuthentication). Null: the listener's.</summary>
    public DownstreamTlsConfig? Tls { get; init; }

    /// <summary>How HTTP on matching connections is routed. Null: HTTP is relayed as TCP.</summary>
    public HttpListenerConfig? Http { get; init; }

    /// <summary>Where opaque TCP on matching connections goes. Null: such connections are closed.</summary>
    public TcpListenerConfig? Tcp { get; init; }
}

/// <summary>
/// Which connections a filter chain takes (Envoy's FilterChainMatch). Precedence follows Envoy: a chain naming the
/// destination port beats one that does not; then the longest matching destination prefix wins; a chain without
/// prefixes matches any address but loses to any prefix that matches.
/// </summary>
public sealed record FilterChainMatchConfig
{
    /// <summary>The destination port (the original one, on capture listeners). Null: any port.</summary>
    public int? DestinationPort { get; init; }

    /// <summary>Destination address ranges in CIDR form (Envoy's prefix_ranges). Empty: any address.</summary>
    public EquatableArray<IPNetwork> DestinationAddresses { get; init; } = EquatableArray<IPNetwork>.Empty;

    /// <summary>
    /// On tls listeners, the TLS server names (SNI) this chain takes (Envoy's server_names): exact names and
    /// <c>*.suffix</c> wildcards, compared without case. An exact name beats a wildcard; the longest wildcard wins.
    /// Empty: none (only tls listeners route by name).
    /// </summary>
    public EquatableArray<string> ServerNames { get; init; } = EquatableArray<string>.Empty;

    /// <summary>
    /// On tls listeners, the ALPN protocols of which the client must offer at least one (Envoy's application_protocols).
    /// Empty: any, ALPN or not.
    /// </summary>
    public EquatableArray<string> ApplicationProtocols { get; init; } = EquatableArray<string>.Empty;
}

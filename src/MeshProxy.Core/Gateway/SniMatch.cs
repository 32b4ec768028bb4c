namespace MeshProxy.Gateway;

/// <summary>How a ClientHello's server name and ALPN fared against a listener's routes.</summary>
internal enum SniMatch
{
    /// <summary>A route names the server name (exactly or by wildcard) and accepts the client's ALPN.</summary>
    Matched,

    /// <summary>No route names the server name.</summary>
    UnknownName,

    /// <summary>A route names the server name but requires an ALPN protocol the client did not offer.</summary>
    AlpnNotOffered,
}

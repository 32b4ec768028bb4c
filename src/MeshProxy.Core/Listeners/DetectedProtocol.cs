namespace MeshProxy.Listeners;

/// <summary>What the first bytes of a connection look like.</summary>
public enum DetectedProtocol
{
    /// <summary>Not enough bytes yet to decide.</summary>
    NeedMoreData,

    /// <summary>An HTTP/1.x request line (a method token and a space).</summary>
    Http1,

    /// <summary>The HTTP/2 prior-knowledge preface "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" (h2c).</summary>
    Http2,

    /// <summary>A TLS handshake record (a ClientHello).</summary>
    Tls,

    /// <summary>Anything else: relayed as opaque TCP.</summary>
    Opaque,
}

namespace MeshProxy.Tls;

/// <summary>Why bytes are not a usable TLS ClientHello. Stable values: they are reported in metrics and logs.</summary>
public enum NotTlsReason
{
    /// <summary>Not rejected (the status is not <see cref="ClientHelloParseStatus.NotTls"/>).</summary>
    None,

    /// <summary>The first byte is not the handshake content type (22): plaintext HTTP, another protocol, garbage.</summary>
    NotHandshakeRecord,

    /// <summary>
    /// The first byte has its high bit set: an SSL 2.0-style record header (an SSLv2 or SSLv2-compatible hello),
    /// which no supported client sends and no supported server accepts.
    /// </summary>
    SslV2Hello,

    /// <summary>The record version or the ClientHello's legacy_version is not 3.x (SSL 3.0 to TLS 1.3 all use 3.x).</summary>
    UnsupportedVersion,

    /// <summary>A record length of 0 or above 2^14 (RFC 8446 §5.1), or a handshake length below the smallest ClientHello.</summary>
    InvalidLength,

    /// <summary>The first handshake message is not a ClientHello (type 1).</summary>
    NotClientHello,

    /// <summary>The ClientHello is longer, or spread over more records, than <see cref="ClientHelloLimits"/> allows.</summary>
    TooLarge,

    /// <summary>
    /// The ClientHello's own structure is inconsistent: a length that overruns its container or leaves bytes over,
    /// a duplicated extension, an empty list that must not be empty, a non-handshake record in the middle.
    /// </summary>
    Malformed,

    /// <summary>The server_name extension's host_name is not a valid DNS name (ASCII, 1-255 bytes, labels 1-63 bytes).</summary>
    InvalidServerName,
}

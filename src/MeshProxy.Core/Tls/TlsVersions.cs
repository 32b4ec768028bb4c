namespace MeshProxy.Tls;

/// <summary>The protocol versions a ClientHello's supported_versions extension (RFC 8446 §4.2.1) lists.</summary>
[Flags]
public enum TlsVersions
{
    /// <summary>No supported_versions extension, or none of the versions below in it.</summary>
    None = 0,

    /// <summary>SSL 3.0 (0x0300).</summary>
    Ssl3 = 1,

    /// <summary>TLS 1.0 (0x0301).</summary>
    Tls10 = 2,

    /// <summary>TLS 1.1 (0x0302).</summary>
    Tls11 = 4,

    /// <summary>TLS 1.2 (0x0303).</summary>
    Tls12 = 8,

    /// <summary>TLS 1.3 (0x0304).</summary>
    Tls13 = 16,
}

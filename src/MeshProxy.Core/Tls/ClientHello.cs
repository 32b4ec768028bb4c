using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;

namespace MeshProxy.Tls;

/// <summary>
/// What a parsed ClientHello says that routing needs: the SNI host name, the ALPN protocols, the versions, and how
/// many input bytes it occupied. The name and protocols are copied into this struct (at most 255 + 256 bytes), so a
/// result stays valid after the input buffer is released, as a <see cref="System.IO.Pipelines.PipeReader"/> requires
/// once <c>AdvanceTo</c> is called. Reading them allocates nothing; only <see cref="GetServerName"/> does.
/// </summary>
public struct ClientHello
{
    /// <summary>
    /// How many bytes of the ALPN ProtocolNameList are kept. Longer lists keep their first whole names that fit and set
    /// <see cref="ApplicationProtocolsTruncated"/>. Real clients send far less (curl: 12 bytes; Istio: at most 32).
    /// </summary>
    public const int MaxStoredAlpnBytes = 256;

    private ServerNameBuffer _serverName;
    private AlpnBuffer _alpn;
    private int _serverNameLength;
    private int _alpnLength;

    /// <summary>Bytes the ClientHello occupied in the input, its record headers included.</summary>
    public int Length { readonly get; internal set; }

    /// <summary>How many TLS records carried the ClientHello (1 unless a client or middlebox fragmented it).</summary>
    public int RecordCount { readonly get; internal set; }

    /// <summary>The legacy_version field, e.g. 0x0303. TLS 1.3 clients send 0x0303 and list 1.3 in <see cref="SupportedVersions"/>.</summary>
    public ushort LegacyVersion { readonly get; internal set; }

    /// <summary>The versions listed in the supported_versions extension; <see cref="TlsVersions.None"/> without it.</summary>
    public TlsVersions SupportedVersions { readonly get; internal set; }

    /// <summary>Whether the client sent a server_name extension with a host_name.</summary>
    public readonly bool HasServerName => _serverNameLength > 0;

    /// <summary>
    /// The first host_name of the server_name extension, as sent (ASCII, not lower-cased), validated as a DNS name;
    /// empty when there is none. Valid as long as this struct is.
    /// </summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<byte> ServerName => ((ReadOnlySpan<byte>)_serverName)[.._serverNameLength];

    /// <summary>The ALPN protocols in the client's order; empty when the client sent no ALPN extension.</summary>
    [UnscopedRef]
    public readonly AlpnProtocolList ApplicationProtocols => new(((ReadOnlySpan<byte>)_alpn)[.._alpnLength]);

    /// <summary>Whether the ALPN list was longer than <see cref="MaxStoredAlpnBytes"/> and only its head is kept.</summary>
    public bool ApplicationProtocolsTruncated { readonly get; internal set; }

    /// <summary>The SNI host name as a new string, or null when there is none. Allocates; prefer <see cref="ServerName"/>.</summary>
    public readonly string? GetServerName() => HasServerName ? Encoding.ASCII.GetString(ServerName) : null;

    /// <summary>Storage for the host name, which the parser fills and then validates.</summary>
    [UnscopedRef]
    internal Span<byte> ServerNameStorage(int length)
    {
        _serverNameLength = length;
        return ((Span<byte>)_serverName)[..length];
    }

    /// <summary>Storage for the next <paramref name="length"/> bytes of the ALPN list, or empty when they do not fit.</summary>
    [UnscopedRef]
    internal Span<byte> AppendAlpnStorage(int length)
    {
        if (_alpnLength + length > MaxStoredAlpnBytes)
        {
            return [];
        }
        var storage = ((Span<byte>)_alpn).Slice(_alpnLength, length);
        _alpnLength += length;
        return storage;
    }

    public override readonly string ToString()
    {
        var protocols = new StringBuilder();
        foreach (var protocol in ApplicationProtocols)
        {
            protocols.Append(protocols.Length == 0 ? "" : ",").Append(Encoding.ASCII.GetString(protocol));
        }
        return $"sni={GetServerName() ?? "(none)"} alpn=[{protocols}]{(ApplicationProtocolsTruncated ? "+" : "")} " +
            $"legacy_version=0x{LegacyVersion:x4} supported_versions={SupportedVersions} length={Length} records={RecordCount}";
    }

    [InlineArray(ServerNameValidator.MaxLength)]
    private struct ServerNameBuffer
    {
        private byte _element;
    }

    [InlineArray(MaxStoredAlpnBytes)]
    private struct AlpnBuffer
    {
        private byte _element;
    }
}

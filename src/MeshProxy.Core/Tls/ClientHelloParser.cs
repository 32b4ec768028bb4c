using System.Buffers;

namespace MeshProxy.Tls;

/// <summary>
/// Parses a TLS ClientHello from the first bytes of a connection, for SNI routing and protocol detection. Pure,
/// stateless, allocation-free, and it never throws on peer input: call it again on the whole buffer whenever more
/// bytes arrive. Any prefix of a valid ClientHello is NeedMoreData; the hello may be split over buffer segments and
/// fragmented over several TLS records, which are read in place. Structure: RFC 8446 §4.1.2 and RFC 5246 §7.4.1.2;
/// server_name: RFC 6066 §3; ALPN: RFC 7301 §3.1; supported_versions: RFC 8446 §4.2.1.
/// </summary>
public static class ClientHelloParser
{
    private const byte ClientHelloType = 1;
    private const int HandshakeHeaderLength = 4;
    private const int RandomLength = 32;
    private const int MaxSessionIdLength = 32;

    // legacy_version (2), random (32), session_id length (1), one cipher suite with its length (4), one compression
    // method with its length (2): the smallest ClientHello body.
    private const int MinBodyLength = 2 + RandomLength + 1 + 4 + 2;

    private const int ServerNameExtension = 0;
    private const int AlpnExtension = 16;
    private const int SupportedVersionsExtension = 43;
    private const byte HostNameType = 0;

    /// <summary>Parses with <see cref="ClientHelloLimits.Default"/>.</summary>
    public static ClientHelloParseResult Parse(in ReadOnlySequence<byte> buffer) => Parse(buffer, ClientHelloLimits.Default);

    /// <summary>Parses the ClientHello at the start of <paramref name="buffer"/>; bytes after it are ignored.</summary>
    public static ClientHelloParseResult Parse(in ReadOnlySequence<byte> buffer, in ClientHelloLimits limits)
    {
        var reader = new HandshakeRecordReader(buffer, limits.MaxRecords);
        var hello = new ClientHello();
        if (TryParse(ref reader, limits.MaxMessageLength, ref hello))
        {
            hello.Length = checked((int)reader.RecordsEnd);
            hello.RecordCount = reader.RecordCount;
            return ClientHelloParseResult.Found(hello);
        }
        if (reader.Failure != NotTlsReason.None)
        {
            return ClientHelloParseResult.NotTls(reader.Failure);
        }
        var missing = reader.MinimumInputLength(HandshakeHeaderLength + MinBodyLength) - buffer.Length;
        return ClientHelloParseResult.NeedMoreData((int)Math.Clamp(missing, 1, int.MaxValue));
    }

    // Each step returns false to stop: on a NotTls answer with reader.Failure set, else because the input ran out.
    private static bool TryParse(ref HandshakeRecordReader reader, int maxMessageLength, ref ClientHello hello)
    {
        if (!reader.TryReadByte(out var type))
        {
            return false;
        }
        if (type != ClientHelloType)
        {
            return reader.Fail(NotTlsReason.NotClientHello);
        }
        if (!reader.TryReadUInt24(out var bodyLength))
        {
            return false;
        }
        if (bodyLength < MinBodyLength)
        {
            return reader.Fail(NotTlsReason.InvalidLength);
        }
        if (bodyLength > maxMessageLength)
        {
            return reader.Fail(NotTlsReason.TooLarge);
        }
        var messageEnd = HandshakeHeaderLength + bodyLength;
        if (!reader.TrySetMessageEnd(messageEnd) || !reader.TryReadUInt16(out var legacyVersion))
        {
            return false;
        }
        if (legacyVersion >> 8 != 3)
        {
            return reader.Fail(NotTlsReason.UnsupportedVersion);
        }
        hello.LegacyVersion = (ushort)legacyVersion;

        if (!reader.TrySkip(RandomLength) || !reader.TryReadByte(out var sessionIdLength))
        {
            return false;
        }
        if (sessionIdLength > MaxSessionIdLength)
        {
            return reader.Fail(NotTlsReason.Malformed);
        }
        if (!reader.TrySkip(sessionIdLength) || !reader.TryReadUInt16(out var cipherSuitesLength))
        {
            return false;
        }
        // cipher_suites<2..2^16-2>: two bytes per suite.
        if (cipherSuitesLength == 0 || cipherSuitesLength % 2 != 0)
        {
            return reader.Fail(NotTlsReason.Malformed);
        }
        if (!reader.TrySkip(cipherSuitesLength) || !reader.TryReadByte(out var compressionMethodsLength))
        {
            return false;
        }
        if (compressionMethodsLength == 0)
        {
            return reader.Fail(NotTlsReason.Malformed);
        }
        if (!reader.TrySkip(compressionMethodsLength))
        {
            return false;
        }
        // Extensions are optional before TLS 1.3: an SSL 3.0 hello may end here.
        return reader.Position == messageEnd || TryParseExtensions(ref reader, messageEnd, ref hello);
    }

    private static bool TryParseExtensions(ref HandshakeRecordReader reader, int messageEnd, ref ClientHello hello)
    {
        if (!reader.TryReadUInt16(out var extensionsLength))
        {
            return false;
        }
        if (reader.Position + extensionsLength != messageEnd)
        {
            return reader.Fail(NotTlsReason.Malformed);
        }
        // RFC 8446 §4.2: no extension type may appear twice in a block. A repeated server_name in particular would let
        // us and the upstream server disagree on the name. Every type we read is below 64, so one bit each suffices.
        var seen = 0UL;
        while (reader.Position < messageEnd)
        {
            if (!reader.TryReadUInt16(out var extensionType) || !reader.TryReadUInt16(out var length))
            {
                return false;
            }
            var end = reader.Position + length;
            if (end > messageEnd)
            {
                return reader.Fail(NotTlsReason.Malformed);
            }
            if (extensionType < 64)
            {
                var bit = 1UL << extensionType;
                if ((seen & bit) != 0)
                {
                    return reader.Fail(NotTlsReason.Malformed);
                }
                seen |= bit;
            }
            var parsed = extensionType switch
            {
                ServerNameExtension => TryParseServerName(ref reader, end, ref hello),
                AlpnExtension => TryParseAlpn(ref reader, end, ref hello),
                SupportedVersionsExtension => TryParseSupportedVersions(ref reader, end, ref hello),
                _ => reader.TrySkip(length),
            };
            if (!parsed)
            {
                return false;
            }
            if (reader.Position != end)
            {
                return reader.Fail(NotTlsReason.Malformed);
            }
        }
        return true;
    }

    private static bool TryParseServerName(ref HandshakeRecordReader reader, int end, ref ClientHello hello)
    {
        // ServerName server_name_list<1..2^16-1>; each entry: name_type (1), HostName<1..2^16-1>.
        if (!TryReadListFillingExtension(ref reader, end, minimumLength: 1))
        {
            return false;
        }
        while (reader.Position < end)
        {
            if (end - reader.Position < 3)
            {
                return reader.Fail(NotTlsReason.Malformed);
            }
            if (!reader.TryReadByte(out var nameType) || !reader.TryReadUInt16(out var nameLength))
            {
                return false;
            }
            if (nameLength == 0 || reader.Position + nameLength > end)
            {
                return reader.Fail(NotTlsReason.Malformed);
            }
            if (nameType != HostNameType || hello.HasServerName)
            {
                if (!reader.TrySkip(nameLength))
                {
                    return false;
                }
                continue;
            }
            if (nameLength > ServerNameValidator.MaxLength)
            {
                return reader.Fail(NotTlsReason.InvalidServerName);
            }
            var name = hello.ServerNameStorage(nameLength);
            if (!reader.TryCopyTo(name))
            {
                return false;
            }
            if (!ServerNameValidator.IsValid(name))
            {
                return reader.Fail(NotTlsReason.InvalidServerName);
            }
        }
        return true;
    }

    private static bool TryParseAlpn(ref HandshakeRecordReader reader, int end, ref ClientHello hello)
    {
        // ProtocolName protocol_name_list<2..2^16-1>; each ProtocolName<1..2^8-1>.
        if (!TryReadListFillingExtension(ref reader, end, minimumLength: 2))
        {
            return false;
        }
        while (reader.Position < end)
        {
            if (!reader.TryReadByte(out var nameLength))
            {
                return false;
            }
            if (nameLength == 0 || reader.Position + nameLength > end)
            {
                return reader.Fail(NotTlsReason.Malformed);
            }
            var storage = hello.ApplicationProtocolsTruncated ? [] : hello.AppendAlpnStorage(1 + nameLength);
            if (storage.IsEmpty)
            {
                hello.ApplicationProtocolsTruncated = true;
                if (!reader.TrySkip(nameLength))
                {
                    return false;
                }
                continue;
            }
            storage[0] = nameLength;
            if (!reader.TryCopyTo(storage[1..]))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Reads the 2-byte length of a list that must be at least <paramref name="minimumLength"/> and fill the extension.</summary>
    private static bool TryReadListFillingExtension(ref HandshakeRecordReader reader, int end, int minimumLength)
    {
        if (end - reader.Position < 2)
        {
            return reader.Fail(NotTlsReason.Malformed);
        }
        if (!reader.TryReadUInt16(out var length))
        {
            return false;
        }
        return (length >= minimumLength && reader.Position + length == end) || reader.Fail(NotTlsReason.Malformed);
    }

    private static bool TryParseSupportedVersions(ref HandshakeRecordReader reader, int end, ref ClientHello hello)
    {
        // ProtocolVersion versions<2..254>, in a ClientHello.
        if (end == reader.Position)
        {
            return reader.Fail(NotTlsReason.Malformed);
        }
        if (!reader.TryReadByte(out var listLength))
        {
            return false;
        }
        if (listLength < 2 || listLength % 2 != 0 || reader.Position + listLength != end)
        {
            return reader.Fail(NotTlsReason.Malformed);
        }
        var versions = TlsVersions.None;
        while (reader.Position < end)
        {
            if (!reader.TryReadUInt16(out var version))
            {
                return false;
            }
            // Unknown values (GREASE, RFC 8701, and drafts) are ignored.
            versions |= version switch
            {
                0x0300 => TlsVersions.Ssl3,
                0x0301 => TlsVersions.Tls10,
                0x0302 => TlsVersions.Tls11,
                0x0303 => TlsVersions.Tls12,
                0x0304 => TlsVersions.Tls13,
                _ => TlsVersions.None,
            };
        }
        hello.SupportedVersions = versions;
        return true;
    }
}

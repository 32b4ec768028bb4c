using System.Text;

namespace MeshProxy.Tls.Tests;

/// <summary>
/// Writes synthetic ClientHellos, field by field, and remembers where each length field is, so that tests can break
/// exactly one length. Defaults look like a TLS 1.3 client: record version 0x0301, legacy_version 0x0303, a 32-byte
/// session id, three suites, null compression.
/// </summary>
internal sealed class ClientHelloBuilder
{
    private readonly List<(int Type, byte[] Data, Action<Writer>? Write)> _extensions = [];

    public ushort RecordVersion { get; init; } = 0x0301;
    public ushort LegacyVersion { get; init; } = 0x0303;
    public byte HandshakeType { get; init; } = 1;
    public int SessionIdLength { get; init; } = 32;
    public ushort[] CipherSuites { get; init; } = [0x1301, 0x1302, 0x1303];
    public byte[] CompressionMethods { get; init; } = [0];

    /// <summary>Leave out the extensions block entirely, as SSL 3.0-era clients did.</summary>
    public bool OmitExtensions { get; init; }

    public ClientHelloBuilder WithServerName(string hostName) => WithServerNames((0, Encoding.ASCII.GetBytes(hostName)));

    public ClientHelloBuilder WithServerNames(params (byte NameType, byte[] Name)[] names) =>
        With(0, w => w.Block(2, "server_name.list", () =>
        {
            for (var i = 0; i < names.Length; i++)
            {
                w.Byte(names[i].NameType);
                w.Block(2, $"server_name.name[{i}]", () => w.Bytes(names[i].Name));
            }
        }));

    public ClientHelloBuilder WithAlpn(params string[] protocols) =>
        With(16, w => w.Block(2, "alpn.list", () =>
        {
            for (var i = 0; i < protocols.Length; i++)
            {
                w.Block(1, $"alpn.protocol[{i}]", () => w.Bytes(Encoding.ASCII.GetBytes(protocols[i])));
            }
        }));

    public ClientHelloBuilder WithSupportedVersions(params ushort[] versions) =>
        With(43, w => w.Block(1, "supported_versions.list", () =>
        {
            foreach (var version in versions)
            {
                w.UInt16(version);
            }
        }));

    public ClientHelloBuilder WithExtension(int type, byte[] data)
    {
        _extensions.Add((type, data, null));
        return this;
    }

    private ClientHelloBuilder With(int type, Action<Writer> write)
    {
        _extensions.Add((type, [], write));
        return this;
    }

    /// <summary>The handshake message (4-byte header and body) and where its length fields are.</summary>
    public (byte[] Message, IReadOnlyDictionary<string, LengthField> Fields) BuildMessage()
    {
        var w = new Writer();
        w.Byte(HandshakeType);
        w.Block(3, "handshake", () =>
        {
            w.UInt16(LegacyVersion);
            w.Bytes(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
            w.Block(1, "session_id", () => w.Bytes(Enumerable.Repeat((byte)0xAB, SessionIdLength).ToArray()));
            w.Block(2, "cipher_suites", () => Array.ForEach(CipherSuites, w.UInt16));
            w.Block(1, "compression_methods", () => w.Bytes(CompressionMethods));
            if (!OmitExtensions)
            {
                w.Block(2, "extensions", () =>
                {
                    foreach (var (type, data, write) in _extensions)
                    {
                        w.UInt16((ushort)type);
                        w.Block(2, $"extension[{type}]", () =>
                        {
                            w.Bytes(data);
                            write?.Invoke(w);
                        });
                    }
                });
            }
        });
        return (w.ToArray(), w.Fields);
    }

    /// <summary>The ClientHello in one record, with every length field's offset in the record bytes.</summary>
    public (byte[] Bytes, IReadOnlyDictionary<string, LengthField> Fields) BuildWithFields()
    {
        var (message, fields) = BuildMessage();
        var record = TlsRecords.Frame(message, [], RecordVersion);
        var shifted = fields.ToDictionary(f => f.Key, f => f.Value with { Offset = f.Value.Offset + TlsRecords.HeaderLength });
        shifted["record"] = new LengthField(3, 2);
        return (record, shifted);
    }

    public byte[] Build() => BuildWithFields().Bytes;

    /// <summary>A big-endian length field of 1, 2 or 3 bytes.</summary>
    public sealed record LengthField(int Offset, int Size)
    {
        public int Read(byte[] bytes)
        {
            var value = 0;
            for (var i = 0; i < Size; i++)
            {
                value = value << 8 | bytes[Offset + i];
            }
            return value;
        }

        public byte[] WithValue(byte[] bytes, int value)
        {
            var copy = (byte[])bytes.Clone();
            for (var i = Size - 1; i >= 0; i--, value >>= 8)
            {
                copy[Offset + i] = (byte)value;
            }
            return copy;
        }
    }

    private sealed class Writer
    {
        private readonly List<byte> _bytes = [];

        public Dictionary<string, LengthField> Fields { get; } = [];

        public void Byte(byte value) => _bytes.Add(value);

        public void UInt16(ushort value)
        {
            _bytes.Add((byte)(value >> 8));
            _bytes.Add((byte)value);
        }

        public void Bytes(byte[] values) => _bytes.AddRange(values);

        /// <summary>Writes a length-prefixed block, filling in its length once the content is written.</summary>
        public void Block(int lengthSize, string name, Action content)
        {
            var offset = _bytes.Count;
            _bytes.AddRange(new byte[lengthSize]);
            content();
            var length = _bytes.Count - offset - lengthSize;
            for (var i = lengthSize - 1; i >= 0; i--, length >>= 8)
            {
                _bytes[offset + i] = (byte)length;
            }
            Fields[name] = new LengthField(offset, lengthSize);
        }

        public byte[] ToArray() => [.. _bytes];
    }
}

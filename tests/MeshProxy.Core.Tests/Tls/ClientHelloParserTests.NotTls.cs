using System.Buffers;
using System.Text;
using Xunit;

namespace MeshProxy.Tls.Tests;

/// <summary>Inputs that are not a usable ClientHello, and the reason each one gets.</summary>
public sealed partial class ClientHelloParserTests
{
    [Fact]
    public void Parse_Empty_NeedMoreDataForAtLeastTheSmallestHello()
    {
        var result = ClientHelloParser.Parse(ReadOnlySequence<byte>.Empty);

        Assert.Equal(ClientHelloParseStatus.NeedMoreData, result.Status);
        Assert.Equal(5 + 4 + 41, result.BytesNeeded);
    }

    [Fact]
    public void Parse_AnyFirstByteButHandshake_NotTlsFromThatByteAlone()
    {
        for (var first = 0; first <= 255; first++)
        {
            var result = Parse([(byte)first]);

            if (first == 0x16)
            {
                Assert.Equal(ClientHelloParseStatus.NeedMoreData, result.Status);
            }
            else
            {
                AssertNotTls(first >= 0x80 ? NotTlsReason.SslV2Hello : NotTlsReason.NotHandshakeRecord, result);
            }
        }
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: reviews\r\n\r\n")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")]
    [InlineData("SSH-2.0-OpenSSH_9.2p1\r\n")]
    [InlineData("\u0000\u0000\u0000\u0001")]
    public void Parse_OtherProtocol_NotHandshakeRecord(string firstBytes)
    {
        AssertNotTls(NotTlsReason.NotHandshakeRecord, Parse(Encoding.Latin1.GetBytes(firstBytes)));
    }

    [Fact]
    public void Parse_SslV2CompatibleClientHello_SslV2Hello()
    {
        // RFC 5246 Appendix E.2: a 2-byte header with the high bit set, msg_type 1, version 3.1, then the
        // cipher_spec, session_id and challenge lengths; three SSLv2-style 3-byte cipher specs; a 16-byte challenge.
        byte[] body = [0x01, 0x03, 0x01, 0x00, 0x09, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x2F, 0x00, 0x00, 0x35, 0x00, 0x00, 0xFF,
            .. Enumerable.Range(0, 16).Select(i => (byte)i)];
        byte[] hello = [(byte)(0x80 | body.Length >> 8), (byte)body.Length, .. body];

        AssertNotTls(NotTlsReason.SslV2Hello, Parse(hello));
        AssertNotTls(NotTlsReason.SslV2Hello, Parse(hello[..1]));
    }

    [Theory]
    [InlineData(0x02, 0x00)]
    [InlineData(0x00, 0x03)]
    [InlineData(0x03, 0x05)]
    [InlineData(0x03, 0xFF)]
    [InlineData(0xFE, 0xFD)] // DTLS 1.2
    public void Parse_RecordVersionNot3x_UnsupportedVersion(byte major, byte minor)
    {
        AssertNotTls(NotTlsReason.UnsupportedVersion, Parse([0x16, major, minor]));
    }

    [Theory]
    [InlineData(0x0300)]
    [InlineData(0x0301)]
    [InlineData(0x0303)]
    [InlineData(0x0304)]
    public void Parse_RecordVersion3x_Found(int version)
    {
        var bytes = new ClientHelloBuilder { RecordVersion = (ushort)version }.WithServerName("a.b").Build();

        Assert.Equal(ClientHelloParseStatus.Found, Parse(bytes).Status);
    }

    [Theory]
    [InlineData(0x0200)]
    [InlineData(0x0403)]
    [InlineData(0xFEFD)]
    public void Parse_LegacyVersionNot3x_UnsupportedVersion(int version)
    {
        AssertNotTls(NotTlsReason.UnsupportedVersion, Parse(new ClientHelloBuilder { LegacyVersion = (ushort)version }.Build()));
    }

    [Fact]
    public void Parse_Ssl3HelloWithoutExtensions_FoundWithoutNameOrAlpn()
    {
        var bytes = new ClientHelloBuilder { RecordVersion = 0x0300, LegacyVersion = 0x0300, OmitExtensions = true }.Build();

        var result = Parse(bytes);

        Assert.Equal(ClientHelloParseStatus.Found, result.Status);
        Assert.Equal(0x0300, result.Hello.LegacyVersion);
        Assert.False(result.Hello.HasServerName);
        Assert.Null(result.Hello.GetServerName());
        Assert.True(result.Hello.ServerName.IsEmpty);
    }

    [Theory]
    [InlineData(0)]  // hello_request
    [InlineData(2)]  // server_hello
    [InlineData(11)] // certificate
    [InlineData(20)] // finished
    public void Parse_OtherHandshakeMessage_NotClientHello(byte handshakeType)
    {
        var bytes = new ClientHelloBuilder { HandshakeType = handshakeType }.Build();

        AssertNotTls(NotTlsReason.NotClientHello, Parse(bytes));
        // The handshake type is known from the sixth byte.
        AssertNotTls(NotTlsReason.NotClientHello, Parse(bytes[..6]));
    }

    [Theory]
    [InlineData("a..b")]
    [InlineData(".example.com")]
    [InlineData("example.com.")]
    [InlineData("exa mple.com")]
    [InlineData("*.example.com")]
    [InlineData("example.com:443")]
    [InlineData("ex\u0000ample.com")]
    [InlineData("b\u00FCcher.example")]
    public void Parse_ServerNameNotADnsName_InvalidServerName(string name)
    {
        var bytes = new ClientHelloBuilder().WithServerNames((0, Encoding.Latin1.GetBytes(name))).WithAlpn("h2").Build();

        AssertNotTls(NotTlsReason.InvalidServerName, Parse(bytes));
    }

    [Fact]
    public void Parse_ServerNameLongerThan255_InvalidServerName()
    {
        var name = string.Join('.', Enumerable.Repeat(new string('a', 63), 4)) + ".b";

        AssertNotTls(NotTlsReason.InvalidServerName, Parse(new ClientHelloBuilder().WithServerName(name).Build()));
    }

    [Fact]
    public void Parse_ServerNameOf255Bytes_Found()
    {
        var name = string.Join('.', Enumerable.Repeat(new string('a', 63), 4));

        var result = Parse(new ClientHelloBuilder().WithServerName(name).Build());

        Assert.Equal(name, result.Hello.GetServerName());
    }

    [Fact]
    public void Parse_SeveralHostNames_FirstOneWins()
    {
        var bytes = new ClientHelloBuilder().WithServerNames((0, "first.example"u8.ToArray()), (0, "second.example"u8.ToArray())).Build();

        Assert.Equal("first.example", Parse(bytes).Hello.GetServerName());
    }

    [Fact]
    public void Parse_UnknownNameTypeBeforeHostName_HostNameFound()
    {
        var bytes = new ClientHelloBuilder().WithServerNames((7, [1, 2, 3]), (0, "reviews.default"u8.ToArray())).Build();

        Assert.Equal("reviews.default", Parse(bytes).Hello.GetServerName());
    }

    [Fact]
    public void Parse_OnlyUnknownNameTypes_FoundWithoutServerName()
    {
        var bytes = new ClientHelloBuilder().WithServerNames((7, [1, 2, 3])).Build();

        var result = Parse(bytes);

        Assert.Equal(ClientHelloParseStatus.Found, result.Status);
        Assert.False(result.Hello.HasServerName);
    }

    [Fact]
    public void Parse_EmptyServerNameExtension_Malformed()
    {
        AssertNotTls(NotTlsReason.Malformed, Parse(new ClientHelloBuilder().WithExtension(0, []).Build()));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(43)]
    [InlineData(10)]
    public void Parse_ExtensionTypeTwice_Malformed(int type)
    {
        var builder = new ClientHelloBuilder().WithServerName("a.example").WithAlpn("h2").WithSupportedVersions(0x0304).WithExtension(10, [0, 2, 0, 0x1D]);
        byte[] copy = type switch
        {
            0 => [0, 12, 0, 0, 9, .. "b.example"u8],
            16 => [0, 3, 2, (byte)'h', (byte)'2'],
            43 => [2, 3, 4],
            _ => [0, 2, 0, 0x17],
        };

        AssertNotTls(NotTlsReason.Malformed, Parse(builder.WithExtension(type, copy).Build()));
    }

    [Fact]
    public void Parse_AlpnLongerThanStored_KeepsTheLeadingProtocolsAndSaysTruncated()
    {
        var protocols = Enumerable.Range(0, 30).Select(i => $"proto-{i:D4}").ToArray();

        var result = Parse(new ClientHelloBuilder().WithServerName("a.b").WithAlpn(protocols).Build());

        Assert.Equal(ClientHelloParseStatus.Found, result.Status);
        Assert.True(result.Hello.ApplicationProtocolsTruncated);
        // 11 bytes per protocol with its length byte: 23 of them fit in 256 bytes.
        Assert.Equal(protocols[..23], AlpnStrings(result.Hello));
        Assert.Equal("a.b", result.Hello.GetServerName());
    }

    [Fact]
    public void Parse_SupportedVersionsWithGrease_GreaseIgnored()
    {
        var bytes = new ClientHelloBuilder().WithSupportedVersions(0x7A7A, 0x0304, 0x0303, 0x0302).Build();

        Assert.Equal(TlsVersions.Tls13 | TlsVersions.Tls12 | TlsVersions.Tls11, Parse(bytes).Hello.SupportedVersions);
    }

    [Fact]
    public void Parse_ServerNameSpanedOverTheHello_SameBytesAsString()
    {
        var result = Parse(CapturedHellos.Get("curl-reviews.bin").ReadTestData());

        Assert.True(result.Hello.ServerName.SequenceEqual("outbound_.8080_._.reviews.default.svc.cluster.local"u8));
        Assert.True(result.Hello.ApplicationProtocols.Contains("h2"u8));
        Assert.False(result.Hello.ApplicationProtocols.Contains("istio"u8));
        Assert.Equal(2, result.Hello.ApplicationProtocols.Count);
    }
}

using System.Buffers;
using Xunit;

namespace MeshProxy.Tls.Tests;

/// <summary>Every length field broken by one in each direction, and lengths beyond the limits.</summary>
public sealed partial class ClientHelloParserTests
{
    private static ClientHelloBuilder SyntheticHello() => new ClientHelloBuilder()
        .WithServerName("outbound_.8080_._.reviews.default.svc.cluster.local")
        .WithExtension(10, [0x00, 0x04, 0x00, 0x1D, 0x00, 0x17])
        .WithAlpn("istio-peer-exchange", "istio", "h2")
        .WithSupportedVersions(0x0304, 0x0303)
        .WithExtension(13, [0x00, 0x02, 0x04, 0x03]);

    [Fact]
    public void Parse_SyntheticHello_Found()
    {
        var bytes = SyntheticHello().Build();

        var result = Parse(bytes);

        Assert.Equal(ClientHelloParseStatus.Found, result.Status);
        Assert.Equal("outbound_.8080_._.reviews.default.svc.cluster.local", result.Hello.GetServerName());
        Assert.Equal(["istio-peer-exchange", "istio", "h2"], AlpnStrings(result.Hello));
        Assert.Equal(TlsVersions.Tls12 | TlsVersions.Tls13, result.Hello.SupportedVersions);
        Assert.Equal(bytes.Length, result.Hello.Length);
    }

    private static readonly string[] InnerLengthFieldNames =
    [
        "session_id", "cipher_suites", "compression_methods", "extensions",
        "extension[0]", "server_name.list", "server_name.name[0]",
        "extension[10]",
        "extension[16]", "alpn.list", "alpn.protocol[0]", "alpn.protocol[1]", "alpn.protocol[2]",
        "extension[43]", "supported_versions.list",
        "extension[13]",
    ];

    public static TheoryData<string> InnerLengthFieldsNamed => [.. InnerLengthFieldNames];

    public static TheoryData<string, int> InnerLengthFields =>
        [.. InnerLengthFieldNames.SelectMany(f => new[] { (f, -1), (f, +1) })];

    [Theory]
    [MemberData(nameof(InnerLengthFields))]
    public void Parse_InnerLengthOffByOne_Malformed(string field, int delta)
    {
        var (bytes, fields) = SyntheticHello().BuildWithFields();
        var length = fields[field];
        var broken = length.WithValue(bytes, length.Read(bytes) + delta);

        AssertNotTls(NotTlsReason.Malformed, Parse(broken));
        // Whatever the split, the answer is the same and nothing throws.
        for (var boundary = 1; boundary < broken.Length; boundary++)
        {
            AssertNotTls(NotTlsReason.Malformed, ClientHelloParser.Parse(SegmentedSequence.Split(broken, boundary)));
        }
    }

    [Theory]
    [MemberData(nameof(InnerLengthFieldsNamed))]
    public void Parse_InnerLengthSetToZeroOrMaximum_NotTls(string field)
    {
        var (bytes, fields) = SyntheticHello().BuildWithFields();
        var length = fields[field];

        foreach (var value in new[] { 0, (1 << (8 * length.Size)) - 1 })
        {
            var result = Parse(length.WithValue(bytes, value));

            Assert.True(result.Status == ClientHelloParseStatus.NotTls, $"{field}={value}: {result}");
        }
    }

    [Fact]
    public void Parse_HandshakeLengthOneShort_Malformed()
    {
        var (bytes, fields) = SyntheticHello().BuildWithFields();
        var handshake = fields["handshake"];

        // The record now carries a byte after the message.
        AssertNotTls(NotTlsReason.Malformed, Parse(handshake.WithValue(bytes, handshake.Read(bytes) - 1)));
    }

    [Fact]
    public void Parse_HandshakeLengthOneLong_MalformedBeforeTheMissingByteArrives()
    {
        var (bytes, fields) = SyntheticHello().BuildWithFields();
        var handshake = fields["handshake"];

        // The message would continue in a second record, but its extensions block already ends one byte early.
        AssertNotTls(NotTlsReason.Malformed, Parse(handshake.WithValue(bytes, handshake.Read(bytes) + 1)));
    }

    [Fact]
    public void Parse_HandshakeLengthOneLongWithTheByteInTheRecord_Malformed()
    {
        var (bytes, fields) = SyntheticHello().BuildWithFields();
        var handshake = fields["handshake"];
        var broken = fields["record"].WithValue(handshake.WithValue([.. bytes, 0], handshake.Read(bytes) + 1), bytes.Length - 5 + 1);

        // The extensions block no longer ends where the message does.
        AssertNotTls(NotTlsReason.Malformed, Parse(broken));
    }

    [Fact]
    public void Parse_RecordLengthOneLong_Malformed()
    {
        var (bytes, fields) = SyntheticHello().BuildWithFields();
        var record = fields["record"];

        AssertNotTls(NotTlsReason.Malformed, Parse(record.WithValue([.. bytes, 0], record.Read(bytes) + 1)));
    }

    [Fact]
    public void Parse_RecordLengthOneShort_MalformedOnTheNextHeader()
    {
        var (bytes, fields) = SyntheticHello().BuildWithFields();
        var record = fields["record"];

        // The hello's last byte is then read as the next record's content type.
        AssertNotTls(NotTlsReason.Malformed, Parse(record.WithValue(bytes, record.Read(bytes) - 1)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16385)]
    [InlineData(65535)]
    public void Parse_RecordLengthOutsideOneTo16384_InvalidLength(int length)
    {
        byte[] bytes = [0x16, 0x03, 0x01, (byte)(length >> 8), (byte)length];

        AssertNotTls(NotTlsReason.InvalidLength, Parse(bytes));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(40)]
    public void Parse_HandshakeLengthBelowSmallestClientHello_InvalidLength(int length)
    {
        byte[] bytes = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, (byte)(length >> 8), (byte)length];

        AssertNotTls(NotTlsReason.InvalidLength, Parse(bytes));
    }

    [Fact]
    public void Parse_SmallestClientHello_Found()
    {
        var bytes = new ClientHelloBuilder { SessionIdLength = 0, CipherSuites = [0x1301], OmitExtensions = true }.Build();

        var result = Parse(bytes);

        Assert.Equal(ClientHelloParseStatus.Found, result.Status);
        Assert.Equal(5 + 4 + 41, result.Hello.Length);
        Assert.False(result.Hello.HasServerName);
        Assert.True(result.Hello.ApplicationProtocols.IsEmpty);
        Assert.Equal(TlsVersions.None, result.Hello.SupportedVersions);
    }

    [Fact]
    public void Parse_HelloOfExactlyMaxMessageLength_Found()
    {
        var bytes = SyntheticHello().Build();
        var bodyLength = bytes.Length - 5 - 4;

        Assert.Equal(ClientHelloParseStatus.Found, Parse(bytes, new ClientHelloLimits { MaxMessageLength = bodyLength }).Status);
        AssertNotTls(NotTlsReason.TooLarge, Parse(bytes, new ClientHelloLimits { MaxMessageLength = bodyLength - 1 }));
    }

    [Fact]
    public void Parse_HugeExtensionBeyondTheLimit_TooLargeBeforeItArrives()
    {
        var message = SyntheticHello().WithExtension(21, new byte[20_000]).BuildMessage().Message;
        var bytes = TlsRecords.FrameEvery(message, 16_384);

        // Only the record and handshake headers are needed to refuse it.
        AssertNotTls(NotTlsReason.TooLarge, ClientHelloParser.Parse(new ReadOnlySequence<byte>(bytes, 0, 9)));
        AssertNotTls(NotTlsReason.TooLarge, Parse(bytes));
    }

    [Fact]
    public void Parse_HugeExtensionWithinRaisedLimit_Found()
    {
        var message = SyntheticHello().WithExtension(21, new byte[60_000]).BuildMessage().Message;
        var bytes = TlsRecords.FrameEvery(message, 16_384);

        var result = Parse(bytes, new ClientHelloLimits { MaxMessageLength = 64 * 1024 });

        Assert.Equal(ClientHelloParseStatus.Found, result.Status);
        Assert.Equal(4, result.Hello.RecordCount);
        Assert.Equal("outbound_.8080_._.reviews.default.svc.cluster.local", result.Hello.GetServerName());
    }

    [Fact]
    public void Parse_SessionIdLongerThan32_Malformed()
    {
        AssertNotTls(NotTlsReason.Malformed, Parse(new ClientHelloBuilder { SessionIdLength = 33 }.Build()));
    }

    [Fact]
    public void Parse_OddCipherSuitesLength_Malformed()
    {
        var (bytes, fields) = new ClientHelloBuilder().BuildWithFields();
        var suites = fields["cipher_suites"];
        var broken = suites.WithValue(bytes, suites.Read(bytes) - 1);

        AssertNotTls(NotTlsReason.Malformed, Parse(broken));
    }

    [Fact]
    public void Parse_NoCompressionMethods_Malformed()
    {
        AssertNotTls(NotTlsReason.Malformed, Parse(new ClientHelloBuilder { CompressionMethods = [] }.Build()));
    }
}

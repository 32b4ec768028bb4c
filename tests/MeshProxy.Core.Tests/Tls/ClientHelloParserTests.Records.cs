using System.Buffers;
using Xunit;

namespace MeshProxy.Tls.Tests;

/// <summary>ClientHellos fragmented over several TLS records (RFC 8446 §5.1 allows any split of a handshake message).</summary>
public sealed partial class ClientHelloParserTests
{
    public static TheoryData<string, int[]> Fragmentations => new()
    {
        // Two records: inside the handshake header, right after it, in the middle, one byte before the end.
        { "curl-reviews.bin", [1] },
        { "curl-reviews.bin", [3] },
        { "curl-reviews.bin", [4] },
        { "curl-reviews.bin", [256] },
        { "curl-reviews.bin", [511] },
        // Three records.
        { "openssl-istio-alpn.bin", [2, 100] },
        { "sslstream-reviews.bin", [40, 300] },
        { "openssl-many-extensions.bin", [170, 171] },
        // Many records of uneven sizes.
        { "openssl-h2-http11.bin", [1, 1, 1, 50, 2, 7, 100, 13] },
        { "openssl-tls12-only.bin", [9, 27, 81, 3] },
    };

    [Theory]
    [MemberData(nameof(Fragmentations))]
    public void Parse_CapturedHelloReframedIntoSeveralRecords_FoundWithTheRecordCount(string fileName, int[] fragmentLengths)
    {
        var capture = CapturedHellos.Get(fileName);
        var bytes = TlsRecords.Reframe(capture.ReadTestData(), fragmentLengths);

        var result = ClientHelloParser.Parse(new ReadOnlySequence<byte>(bytes));

        AssertFound(capture with { RecordCount = fragmentLengths.Length + 1 }, bytes.Length, result);
    }

    [Theory]
    [MemberData(nameof(Fragmentations))]
    public void Parse_EveryPrefixOfReframedHello_NeedMoreDataUntilComplete(string fileName, int[] fragmentLengths)
    {
        var capture = CapturedHellos.Get(fileName);
        var bytes = TlsRecords.Reframe(capture.ReadTestData(), fragmentLengths);

        for (var length = 0; length < bytes.Length; length++)
        {
            var result = ClientHelloParser.Parse(new ReadOnlySequence<byte>(bytes, 0, length));

            Assert.True(result.Status == ClientHelloParseStatus.NeedMoreData, $"prefix {length}: {result}");
            Assert.InRange(result.BytesNeeded, 1, bytes.Length - length);
        }
    }

    [Theory]
    [MemberData(nameof(Fragmentations))]
    public void Parse_ReframedHelloSplitInTwoSegmentsAtEveryPosition_Found(string fileName, int[] fragmentLengths)
    {
        var capture = CapturedHellos.Get(fileName) with { RecordCount = fragmentLengths.Length + 1 };
        var bytes = TlsRecords.Reframe(capture.ReadTestData(), fragmentLengths);

        for (var boundary = 1; boundary < bytes.Length; boundary++)
        {
            AssertFound(capture, bytes.Length, ClientHelloParser.Parse(SegmentedSequence.Split(bytes, boundary)));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    public void Parse_HelloInRecordsOfEqualSize_FoundWhenWithinMaxRecords(int fragmentLength)
    {
        var capture = CapturedHellos.Get("openssl-no-sni.bin");
        var message = TlsRecords.Unframe(capture.ReadTestData());
        var bytes = TlsRecords.FrameEvery(message, fragmentLength);
        var records = (message.Length + fragmentLength - 1) / fragmentLength;

        var result = ClientHelloParser.Parse(new ReadOnlySequence<byte>(bytes), new ClientHelloLimits { MaxRecords = records });

        AssertFound(capture with { RecordCount = records }, bytes.Length, result);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    public void Parse_HelloInOneRecordMoreThanMaxRecords_TooLarge(int fragmentLength)
    {
        var message = TlsRecords.Unframe(CapturedHellos.Get("openssl-no-sni.bin").ReadTestData());
        var bytes = TlsRecords.FrameEvery(message, fragmentLength);
        var records = (message.Length + fragmentLength - 1) / fragmentLength;

        var result = ClientHelloParser.Parse(new ReadOnlySequence<byte>(bytes), new ClientHelloLimits { MaxRecords = records - 1 });

        AssertNotTls(NotTlsReason.TooLarge, result);
    }

    [Fact]
    public void Parse_OneByteRecordsWithDefaultLimits_TooLargeAfterSixteenRecords()
    {
        var message = TlsRecords.Unframe(CapturedHellos.Get("curl-reviews.bin").ReadTestData());
        var bytes = TlsRecords.FrameEvery(message, 1);

        // 16 one-byte records, then the 17th header: refused before the rest of the hello arrives.
        var result = ClientHelloParser.Parse(new ReadOnlySequence<byte>(bytes, 0, 17 * 6));

        AssertNotTls(NotTlsReason.TooLarge, result);
    }

    [Theory]
    [InlineData(21)] // alert
    [InlineData(20)] // change_cipher_spec
    [InlineData(23)] // application_data
    [InlineData(0x80)]
    public void Parse_NonHandshakeRecordBetweenFragments_Malformed(byte contentType)
    {
        var message = TlsRecords.Unframe(CapturedHellos.Get("curl-reviews.bin").ReadTestData());
        var bytes = new List<byte>();
        TlsRecords.AppendRecord(bytes, message.AsSpan(0, 100));
        TlsRecords.AppendRecord(bytes, [1, 2], contentType: contentType);
        TlsRecords.AppendRecord(bytes, message.AsSpan(100));

        AssertNotTls(NotTlsReason.Malformed, Parse([.. bytes]));
    }

    [Theory]
    [InlineData(0x02, 0x00)]
    [InlineData(0x03, 0x05)]
    public void Parse_ContinuationRecordWithBadVersion_Malformed(byte major, byte minor)
    {
        var bytes = TlsRecords.Reframe(CapturedHellos.Get("curl-reviews.bin").ReadTestData(), 100);
        bytes[TlsRecords.HeaderLength + 100 + 1] = major;
        bytes[TlsRecords.HeaderLength + 100 + 2] = minor;

        AssertNotTls(NotTlsReason.Malformed, Parse(bytes));
    }

    [Fact]
    public void Parse_EmptyContinuationRecord_InvalidLength()
    {
        var message = TlsRecords.Unframe(CapturedHellos.Get("curl-reviews.bin").ReadTestData());
        var bytes = new List<byte>();
        TlsRecords.AppendRecord(bytes, message.AsSpan(0, 100));
        TlsRecords.AppendRecord(bytes, []);
        TlsRecords.AppendRecord(bytes, message.AsSpan(100));

        AssertNotTls(NotTlsReason.InvalidLength, Parse([.. bytes]));
    }

    [Fact]
    public void Parse_LastRecordCarriesBytesAfterTheHello_Malformed()
    {
        var message = TlsRecords.Unframe(CapturedHellos.Get("curl-reviews.bin").ReadTestData());
        var bytes = new List<byte>();
        TlsRecords.AppendRecord(bytes, message.AsSpan(0, 100));
        // The rest of the hello and the first bytes of another handshake message, in one record.
        TlsRecords.AppendRecord(bytes, [.. message.AsSpan(100), 0x0B, 0x00]);

        AssertNotTls(NotTlsReason.Malformed, Parse([.. bytes]));
    }

    [Fact]
    public void Parse_RealTwoRecordHelloWithRaisedLimit_ReadsTheNameAcrossRecords()
    {
        var capture = CapturedHellos.Get("openssl-two-records.bin");
        // Re-split so that the boundary falls inside the SNI host name, which then has to be read from both records.
        var message = TlsRecords.Unframe(capture.ReadTestData());
        var nameOffset = message.AsSpan().IndexOf("outbound_.8080_"u8);
        var bytes = TlsRecords.Frame(message, [nameOffset + 5, 16_000]);

        AssertFound(capture with { RecordCount = 3 }, bytes.Length, ClientHelloParser.Parse(new ReadOnlySequence<byte>(bytes), capture.Limits));
    }
}

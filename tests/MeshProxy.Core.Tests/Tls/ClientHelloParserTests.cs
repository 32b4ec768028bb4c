using System.Buffers;
using System.Text;
using Xunit;

namespace MeshProxy.Tls.Tests;

/// <summary>Real captured ClientHellos: every prefix, every segmentation (linkerd's check_all_prefixes, and more).</summary>
public sealed partial class ClientHelloParserTests
{
    [Theory]
    [MemberData(nameof(CapturedHellos.FileNames), MemberType = typeof(CapturedHellos))]
    public void Parse_CapturedHello_FoundWithItsServerNameAndAlpn(string fileName)
    {
        var capture = CapturedHellos.Get(fileName);
        var bytes = capture.ReadTestData();

        var result = ClientHelloParser.Parse(new ReadOnlySequence<byte>(bytes), capture.Limits);

        AssertFound(capture, bytes.Length, result);
    }

    [Theory]
    [MemberData(nameof(CapturedHellos.FileNames), MemberType = typeof(CapturedHellos))]
    public void Parse_EveryPrefixOfCapturedHello_NeedMoreDataUntilComplete(string fileName)
    {
        var capture = CapturedHellos.Get(fileName);
        var bytes = capture.ReadTestData();

        for (var length = 0; length < bytes.Length; length++)
        {
            var result = ClientHelloParser.Parse(new ReadOnlySequence<byte>(bytes, 0, length), capture.Limits);

            Assert.True(result.Status == ClientHelloParseStatus.NeedMoreData, $"prefix {length}: {result}");
            // A reader may wait for exactly BytesNeeded more: it never asks for bytes past the hello.
            Assert.InRange(result.BytesNeeded, 1, bytes.Length - length);
        }
        AssertFound(capture, bytes.Length, ClientHelloParser.Parse(new ReadOnlySequence<byte>(bytes), capture.Limits));
    }

    [Theory]
    [MemberData(nameof(CapturedHellos.FileNames), MemberType = typeof(CapturedHellos))]
    public void Parse_CapturedHelloSplitInTwoSegmentsAtEveryPosition_Found(string fileName)
    {
        var capture = CapturedHellos.Get(fileName);
        var bytes = capture.ReadTestData();

        for (var boundary = 1; boundary < bytes.Length; boundary++)
        {
            AssertFound(capture, bytes.Length, ClientHelloParser.Parse(SegmentedSequence.Split(bytes, boundary), capture.Limits));
        }
    }

    [Theory]
    [MemberData(nameof(CapturedHellos.FileNames), MemberType = typeof(CapturedHellos))]
    public void Parse_CapturedHelloSplitInThreeSegmentsAroundEveryPosition_Found(string fileName)
    {
        var capture = CapturedHellos.Get(fileName);
        var bytes = capture.ReadTestData();

        // A short middle segment at every position straddles every field boundary.
        for (var start = 1; start + 3 < bytes.Length; start += bytes.Length > 2048 ? 7 : 1)
        {
            AssertFound(capture, bytes.Length, ClientHelloParser.Parse(SegmentedSequence.Split(bytes, start, start + 3), capture.Limits));
        }
    }

    [Theory]
    [MemberData(nameof(CapturedHellos.FileNames), MemberType = typeof(CapturedHellos))]
    public void Parse_CapturedHelloOneBytePerSegment_Found(string fileName)
    {
        var capture = CapturedHellos.Get(fileName);
        var bytes = capture.ReadTestData();

        AssertFound(capture, bytes.Length, ClientHelloParser.Parse(SegmentedSequence.OneBytePerSegment(bytes), capture.Limits));
    }

    [Theory]
    [MemberData(nameof(CapturedHellos.FileNames), MemberType = typeof(CapturedHellos))]
    public void Parse_EveryPrefixOneBytePerSegment_NeedMoreData(string fileName)
    {
        var capture = CapturedHellos.Get(fileName);
        var bytes = capture.ReadTestData();
        var sequence = SegmentedSequence.OneBytePerSegment(bytes);

        for (var length = 0; length < bytes.Length; length += bytes.Length > 2048 ? 13 : 1)
        {
            Assert.Equal(ClientHelloParseStatus.NeedMoreData, ClientHelloParser.Parse(sequence.Slice(0, length), capture.Limits).Status);
        }
    }

    [Theory]
    [MemberData(nameof(CapturedHellos.FileNames), MemberType = typeof(CapturedHellos))]
    public void Parse_CapturedHelloFollowedByMoreRecords_FoundWithTheHelloLengthOnly(string fileName)
    {
        var capture = CapturedHellos.Get(fileName);
        var hello = capture.ReadTestData();
        // A TLS 1.3 client's ChangeCipherSpec record, then application data, as a pipe might buffer behind the hello.
        byte[] bytes = [.. hello, 0x14, 0x03, 0x03, 0x00, 0x01, 0x01, 0x17, 0x03, 0x03, 0x00, 0x02, 0xAA, 0xBB];

        var result = ClientHelloParser.Parse(new ReadOnlySequence<byte>(bytes), capture.Limits);

        AssertFound(capture, hello.Length, result);
    }

    [Fact]
    public void Parse_TwoRecordCaptureWithDefaultLimits_TooLarge()
    {
        var bytes = CapturedHellos.Get("openssl-two-records.bin").ReadTestData();

        var result = ClientHelloParser.Parse(new ReadOnlySequence<byte>(bytes));

        Assert.Equal(ClientHelloParseStatus.NotTls, result.Status);
        Assert.Equal(NotTlsReason.TooLarge, result.Reason);
    }

    [Fact]
    public void Parse_TwoRecordCaptureWithDefaultLimits_TooLargeFromTheHandshakeHeaderAlone()
    {
        var bytes = CapturedHellos.Get("openssl-two-records.bin").ReadTestData();

        // Record header (5) and handshake header (4) are enough to refuse a 17 KiB hello before it arrives.
        var result = ClientHelloParser.Parse(new ReadOnlySequence<byte>(bytes, 0, 9));

        Assert.Equal(NotTlsReason.TooLarge, result.Reason);
    }

    internal static void AssertFound(CapturedHello capture, int expectedLength, in ClientHelloParseResult result, bool exactVersions = true)
    {
        Assert.True(result.Status == ClientHelloParseStatus.Found, result.ToString());
        ref readonly var hello = ref result.Hello;
        Assert.Equal(capture.ServerName, hello.GetServerName());
        Assert.Equal(capture.ServerName is not null, hello.HasServerName);
        Assert.Equal(capture.Alpn, AlpnStrings(hello));
        Assert.Equal(capture.AlpnTruncated, hello.ApplicationProtocolsTruncated);
        if (exactVersions)
        {
            Assert.Equal(capture.SupportedVersions, hello.SupportedVersions);
        }
        else
        {
            Assert.Equal(capture.SupportedVersions.HasFlag(TlsVersions.Tls13), hello.SupportedVersions.HasFlag(TlsVersions.Tls13));
        }
        Assert.Equal(0x0303, hello.LegacyVersion);
        Assert.Equal(expectedLength, hello.Length);
        Assert.Equal(capture.RecordCount, hello.RecordCount);
    }

    internal static string[] AlpnStrings(in ClientHello hello)
    {
        var protocols = new List<string>();
        foreach (var protocol in hello.ApplicationProtocols)
        {
            protocols.Add(Encoding.ASCII.GetString(protocol));
        }
        return [.. protocols];
    }

    private static ClientHelloParseResult Parse(byte[] bytes, ClientHelloLimits limits = default) =>
        ClientHelloParser.Parse(new ReadOnlySequence<byte>(bytes), limits);

    private static void AssertNotTls(NotTlsReason expected, in ClientHelloParseResult result)
    {
        Assert.True(result.Status == ClientHelloParseStatus.NotTls && result.Reason == expected, $"expected NotTls({expected}), got {result}");
    }
}

using System.Buffers;
using System.Text;
using MeshProxy.Listeners;

namespace MeshProxy.Tests.Listeners;

public sealed class ProtocolSnifferTests
{
    private static readonly byte[] Http2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04\0\0\0\0\0"u8.ToArray();
    private static readonly byte[] Http1Request = "GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray();
    private static readonly byte[] TlsHello = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03];

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n", DetectedProtocol.Http1)]
    [InlineData("POST /x HTTP/1.0\r\n", DetectedProtocol.Http1)]
    [InlineData("PROPFIND /dav HTTP/1.1\r\n", DetectedProtocol.Http1)]
    [InlineData("PUT ", DetectedProtocol.Http1)]
    [InlineData("SSH-2.0-OpenSSH_9.2\r\n", DetectedProtocol.Opaque)]
    [InlineData("*1\r\n$4\r\nPING\r\n", DetectedProtocol.Opaque)]
    [InlineData("get / HTTP/1.1\r\n", DetectedProtocol.Opaque)]
    [InlineData(" GET /", DetectedProtocol.Opaque)]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZ", DetectedProtocol.Opaque)]
    [InlineData("GE", DetectedProtocol.NeedMoreData)]
    [InlineData("PRI * HTTP/2", DetectedProtocol.NeedMoreData)]
    [InlineData("PRI * HTTP/1.1\r\n", DetectedProtocol.Http1)]
    public void Detect_Text_Classified(string text, DetectedProtocol expected)
        => Assert.Equal(expected, ProtocolSniffer.Detect(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void Detect_Http2Preface_EveryShorterPrefixNeedsMore()
    {
        for (var length = 1; length < 24; length++)
        {
            Assert.Equal(DetectedProtocol.NeedMoreData, ProtocolSniffer.Detect(Http2Preface.AsSpan(0, length)));
        }
        Assert.Equal(DetectedProtocol.Http2, ProtocolSniffer.Detect(Http2Preface.AsSpan(0, 24)));
        Assert.Equal(DetectedProtocol.Http2, ProtocolSniffer.Detect(Http2Preface));
    }

    [Fact]
    public void Detect_Http1Request_DecidedAtFirstSpaceThenStable()
    {
        for (var length = 1; length <= Http1Request.Length; length++)
        {
            var expected = length < 4 ? DetectedProtocol.NeedMoreData : DetectedProtocol.Http1;
            Assert.Equal(expected, ProtocolSniffer.Detect(Http1Request.AsSpan(0, length)));
        }
    }

    [Fact]
    public void Detect_TlsRecord_NeedsThreeBytes()
    {
        Assert.Equal(DetectedProtocol.NeedMoreData, ProtocolSniffer.Detect(TlsHello.AsSpan(0, 1)));
        Assert.Equal(DetectedProtocol.NeedMoreData, ProtocolSniffer.Detect(TlsHello.AsSpan(0, 2)));
        Assert.Equal(DetectedProtocol.Tls, ProtocolSniffer.Detect(TlsHello.AsSpan(0, 3)));
        Assert.Equal(DetectedProtocol.Opaque, ProtocolSniffer.Detect([0x16, 0x07, 0x01]));
    }

    [Fact]
    public void Detect_MultiSegmentSequence_SameAnswerAsContiguous()
    {
        foreach (var input in new[] { Http2Preface, Http1Request, TlsHello })
        {
            for (var split = 1; split < Math.Min(input.Length, 30); split++)
            {
                var sequence = TwoSegments(input, split);
                Assert.Equal(ProtocolSniffer.Detect(input), ProtocolSniffer.Detect(sequence));
            }
        }
    }

    [Fact]
    public void Detect_RandomBytes_NeverThrows()
    {
        var random = new Random(3);
        var buffer = new byte[40];
        for (var i = 0; i < 20_000; i++)
        {
            random.NextBytes(buffer);
            _ = ProtocolSniffer.Detect(buffer.AsSpan(0, random.Next(buffer.Length + 1)));
        }
    }

    private static ReadOnlySequence<byte> TwoSegments(byte[] input, int split)
    {
        var first = new Segment(input.AsMemory(0, split));
        var second = first.Append(input.AsMemory(split));
        return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}

using System.Buffers;
using BenchmarkDotNet.Attributes;
using MeshProxy.Listeners;

namespace MeshProxy.Benchmarks.Listeners;

/// <summary>
/// The cost of classifying a connection's first bytes. Runs once per accepted connection, so it must stay in the
/// nanoseconds and allocate nothing, even when the bytes arrive split over two pipe segments.
/// </summary>
[MemoryDiagnoser]
public class ProtocolSnifferBenchmarks
{
    private static readonly byte[] Http1 = "GET /api/v1/items?id=42 HTTP/1.1\r\nHost: catalog\r\n\r\n"u8.ToArray();
    private static readonly byte[] Http2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\x12\x04\0\0\0\0\0"u8.ToArray();
    private static readonly byte[] TlsClientHello = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03];
    private static readonly byte[] Opaque = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"u8.ToArray();

    private ReadOnlySequence<byte> _splitPreface;

    [GlobalSetup]
    public void Setup() => _splitPreface = Segments.Split(Http2Preface, 5);

    [Benchmark(Baseline = true)]
    public DetectedProtocol Http1RequestLine() => ProtocolSniffer.Detect(Http1);

    [Benchmark]
    public DetectedProtocol Http2PriorKnowledge() => ProtocolSniffer.Detect(Http2Preface);

    [Benchmark]
    public DetectedProtocol Http2PrefaceSplitOverTwoSegments() => ProtocolSniffer.Detect(_splitPreface);

    [Benchmark]
    public DetectedProtocol TlsHandshake() => ProtocolSniffer.Detect(TlsClientHello);

    [Benchmark]
    public DetectedProtocol OpaqueServerFirstBanner() => ProtocolSniffer.Detect(Opaque);

    /// <summary>Builds a two-segment sequence, as a pipe hands over bytes that arrived in two reads.</summary>
    private sealed class Segments : ReadOnlySequenceSegment<byte>
    {
        private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Split(byte[] data, int at)
        {
            var first = new Segments(data.AsMemory(0, at), 0);
            var second = new Segments(data.AsMemory(at), at);
            first.Next = second;
            return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
        }
    }
}

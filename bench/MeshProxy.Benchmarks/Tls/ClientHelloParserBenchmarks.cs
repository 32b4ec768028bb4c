using System.Buffers;
using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using MeshProxy.Tls;

namespace MeshProxy.Benchmarks.Tls;

/// <summary>
/// The ClientHello parser on a real curl hello (517 bytes): whole, in three buffer segments, fragmented over three
/// records, half of it, and non-TLS bytes; and ClientHelloReader on a pipe that already holds the hello.
/// Every one of these must allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class ClientHelloParserBenchmarks
{
    private ReadOnlySequence<byte> _hello;
    private ReadOnlySequence<byte> _helloInSegments;
    private ReadOnlySequence<byte> _helloInRecords;
    private ReadOnlySequence<byte> _halfHello;
    private ReadOnlySequence<byte> _httpRequest;
    private ReadOnlySequence<byte> _malformed;
    private byte[] _helloBytes = [];
    private readonly Pipe _pipe = new();

    [GlobalSetup]
    public void Setup()
    {
        _helloBytes = File.ReadAllBytes(FindTestData("curl-reviews.bin"));
        _hello = new ReadOnlySequence<byte>(_helloBytes);
        _helloInSegments = BenchmarkSegment.Split(_helloBytes, 100, 300);
        _helloInRecords = new ReadOnlySequence<byte>(Reframe(_helloBytes, 100, 300));
        _halfHello = _hello.Slice(0, _helloBytes.Length / 2);
        _httpRequest = new ReadOnlySequence<byte>("GET /productpage HTTP/1.1\r\nHost: productpage:9080\r\n\r\n"u8.ToArray());
        // The last extension (curl sends padding, type 21, last) claims one byte more than the message holds: the
        // parser reads everything before it finds out.
        var malformed = (byte[])_helloBytes.Clone();
        var padding = LastExtensionLengthOffset(malformed);
        malformed[padding + 1]++;
        _malformed = new ReadOnlySequence<byte>(malformed);

        // Measure the paths the names promise.
        Require(Found() == _helloBytes.Length && FoundInThreeSegments() == _helloBytes.Length && FoundInThreeRecords() == _helloBytes.Length + 10);
        Require(NeedMoreData() > 0 && NotTlsHttp() == NotTlsReason.NotHandshakeRecord && NotTlsMalformed() == NotTlsReason.Malformed);
    }

    private static void Require(bool condition)
    {
        if (!condition)
        {
            throw new InvalidOperationException("A benchmark input does not parse as its benchmark expects.");
        }
    }

    [Benchmark(Baseline = true)]
    public int Found() => ClientHelloParser.Parse(_hello).Hello.Length;

    [Benchmark]
    public int FoundInThreeSegments() => ClientHelloParser.Parse(_helloInSegments).Hello.Length;

    [Benchmark]
    public int FoundInThreeRecords() => ClientHelloParser.Parse(_helloInRecords).Hello.Length;

    [Benchmark]
    public int NeedMoreData() => ClientHelloParser.Parse(_halfHello).BytesNeeded;

    [Benchmark]
    public NotTlsReason NotTlsHttp() => ClientHelloParser.Parse(_httpRequest).Reason;

    [Benchmark]
    public NotTlsReason NotTlsMalformed() => ClientHelloParser.Parse(_malformed).Reason;

    [Benchmark]
    public async ValueTask<int> ReaderWithHelloBuffered()
    {
        await _pipe.Writer.WriteAsync(_helloBytes);
        var result = await ClientHelloReader.ReadAsync(_pipe.Reader, default, TimeSpan.FromSeconds(10), TimeProvider.System, default);
        var read = await _pipe.Reader.ReadAsync();
        _pipe.Reader.AdvanceTo(read.Buffer.End);
        return result.ParseResult.Hello.Length;
    }

    private static int LastExtensionLengthOffset(byte[] hello)
    {
        for (var i = hello.Length - 4; i > 5; i--)
        {
            if (hello[i - 2] == 0 && hello[i - 1] == 21 && (hello[i] << 8 | hello[i + 1]) == hello.Length - i - 2)
            {
                return i;
            }
        }
        throw new InvalidOperationException("The hello does not end with a padding extension.");
    }

    private static byte[] Reframe(byte[] record, params int[] cuts)
    {
        var message = record.AsSpan(5);
        var output = new List<byte>();
        var start = 0;
        foreach (var end in cuts.Append(message.Length))
        {
            output.AddRange([0x16, 0x03, 0x01, (byte)((end - start) >> 8), (byte)(end - start)]);
            output.AddRange(message[start..end]);
            start = end;
        }
        return [.. output];
    }

    private static string FindTestData(string fileName)
    {
        // BenchmarkDotNet runs a generated project under bin/, inside the repository: walk up to Proxy.sln.
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Proxy.sln")))
            {
                return Path.Combine(directory.FullName, "tests", "MeshProxy.Core.Tests", "Tls", "testdata", fileName);
            }
        }
        throw new InvalidOperationException("Cannot find Proxy.sln above " + AppContext.BaseDirectory);
    }

    private sealed class BenchmarkSegment : ReadOnlySequenceSegment<byte>
    {
        private BenchmarkSegment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Split(byte[] data, int first, int second)
        {
            var head = new BenchmarkSegment(data.AsMemory(0, first), 0);
            var middle = new BenchmarkSegment(data.AsMemory(first, second - first), first);
            var tail = new BenchmarkSegment(data.AsMemory(second), second);
            head.Next = middle;
            middle.Next = tail;
            return new ReadOnlySequence<byte>(head, 0, tail, tail.Memory.Length);
        }
    }
}

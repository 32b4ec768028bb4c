using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace MeshProxy.Tls.Tests;

public sealed class ClientHelloReaderTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan TestBound = TimeSpan.FromSeconds(20);

    private readonly Pipe _pipe = new();
    private readonly FakeTimeProvider _time = new();
    private readonly byte[] _hello = CapturedHellos.Get("curl-reviews.bin").ReadTestData();

    private static CancellationToken TestCancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReadAsync_HelloAlreadyBuffered_FoundAndEveryByteLeftForTheNextReader()
    {
        await _pipe.Writer.WriteAsync(_hello, TestCancellation);

        var result = await ClientHelloReader.ReadAsync(_pipe.Reader, default, Timeout, _time, TestCancellation);

        Assert.Equal(ClientHelloReadStatus.Completed, result.Status);
        Assert.Equal("outbound_.8080_._.reviews.default.svc.cluster.local", result.ParseResult.Hello.GetServerName());
        await AssertNextReadReturnsAsync(_hello);
    }

    [Fact]
    public async Task ReadAsync_HelloArrivesInPieces_FoundOnlyOnceComplete()
    {
        var read = ClientHelloReader.ReadAsync(_pipe.Reader, default, Timeout, _time, TestCancellation).AsTask();

        for (var offset = 0; offset < _hello.Length; offset += 100)
        {
            Assert.False(read.IsCompleted, $"completed before byte {offset}");
            await _pipe.Writer.WriteAsync(_hello.AsMemory(offset, Math.Min(100, _hello.Length - offset)), TestCancellation);
            await Task.Yield();
        }
        var result = await read.WaitAsync(TestBound, TestCancellation);

        Assert.Equal(ClientHelloReadStatus.Completed, result.Status);
        Assert.Equal(ClientHelloParseStatus.Found, result.ParseResult.Status);
        Assert.Equal(["h2", "http/1.1"], ClientHelloParserTests.AlpnStrings(result.ParseResult.Hello));
        await AssertNextReadReturnsAsync(_hello);
    }

    [Fact]
    public async Task ReadAsync_PlaintextHttp_NotTlsAndBytesLeftForTheNextReader()
    {
        var request = "GET / HTTP/1.1\r\n"u8.ToArray();
        await _pipe.Writer.WriteAsync(request, TestCancellation);

        var result = await ClientHelloReader.ReadAsync(_pipe.Reader, default, Timeout, _time, TestCancellation);

        Assert.Equal(ClientHelloReadStatus.Completed, result.Status);
        Assert.Equal(NotTlsReason.NotHandshakeRecord, result.ParseResult.Reason);
        await AssertNextReadReturnsAsync(request);
    }

    [Fact]
    public async Task ReadAsync_HelloLargerThanLimits_NotTlsTooLarge()
    {
        await _pipe.Writer.WriteAsync(_hello.AsMemory(0, 20), TestCancellation);

        var result = await ClientHelloReader.ReadAsync(_pipe.Reader, new ClientHelloLimits { MaxMessageLength = 100 }, Timeout, _time,
            TestCancellation);

        Assert.Equal(NotTlsReason.TooLarge, result.ParseResult.Reason);
    }

    [Fact]
    public async Task ReadAsync_HelloStopsHalfway_TimedOutAfterTheTimeoutAndBytesLeft()
    {
        await _pipe.Writer.WriteAsync(_hello.AsMemory(0, 200), TestCancellation);
        var read = ClientHelloReader.ReadAsync(_pipe.Reader, default, Timeout, _time, TestCancellation).AsTask();

        _time.Advance(Timeout - TimeSpan.FromMilliseconds(1));
        await Task.Delay(50, TestCancellation);
        Assert.False(read.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var result = await read.WaitAsync(TestBound, TestCancellation);

        Assert.Equal(ClientHelloReadStatus.TimedOut, result.Status);
        Assert.Equal(ClientHelloParseStatus.NeedMoreData, result.ParseResult.Status);
        // Nothing consumed: the pipe returns the 200 bytes with the next ones.
        await _pipe.Writer.WriteAsync(_hello.AsMemory(200, 1), TestCancellation);
        await AssertNextReadReturnsAsync(_hello[..201]);
    }

    [Fact]
    public async Task ReadAsync_NothingArrives_TimedOut()
    {
        var read = ClientHelloReader.ReadAsync(_pipe.Reader, default, Timeout, _time, TestCancellation).AsTask();

        _time.Advance(Timeout);
        var result = await read.WaitAsync(TestBound, TestCancellation);

        Assert.Equal(ClientHelloReadStatus.TimedOut, result.Status);
    }

    [Fact]
    public async Task ReadAsync_PeerFinishesHalfway_EndOfStream()
    {
        await _pipe.Writer.WriteAsync(_hello.AsMemory(0, 200), TestCancellation);
        await _pipe.Writer.CompleteAsync();

        var result = await ClientHelloReader.ReadAsync(_pipe.Reader, default, Timeout, _time, TestCancellation);

        Assert.Equal(ClientHelloReadStatus.EndOfStream, result.Status);
        Assert.Equal(ClientHelloParseStatus.NeedMoreData, result.ParseResult.Status);
    }

    [Fact]
    public async Task ReadAsync_PendingReadCanceled_ReadCanceled()
    {
        var read = ClientHelloReader.ReadAsync(_pipe.Reader, default, Timeout, _time, TestCancellation).AsTask();

        _pipe.Reader.CancelPendingRead();
        var result = await read.WaitAsync(TestBound, TestCancellation);

        Assert.Equal(ClientHelloReadStatus.ReadCanceled, result.Status);
    }

    [Fact]
    public async Task ReadAsync_CallerCancels_ThrowsOperationCanceled()
    {
        using var caller = new CancellationTokenSource();
        var read = ClientHelloReader.ReadAsync(_pipe.Reader, default, Timeout, _time, caller.Token).AsTask();

        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.WaitAsync(TestBound, TestCancellation));
    }

    [Fact]
    public async Task ReadAsync_RealCurlOverLoopbackSocket_FoundAndTheRelayReadsTheHelloUntouched()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var clientDone = CancellationTokenSource.CreateLinkedTokenSource(TestCancellation);
        var curl = CapturedHello.Curl("outbound_.9080_.v1_.ratings.default.svc.cluster.local")(port, clientDone.Token);
        using var socket = await listener.AcceptSocketAsync(TestCancellation);
        await using var stream = new NetworkStream(socket);
        var input = PipeReader.Create(stream);

        var result = await ClientHelloReader.ReadAsync(input, default, Timeout, TimeProvider.System, TestCancellation);

        Assert.Equal(ClientHelloReadStatus.Completed, result.Status);
        Assert.Equal("outbound_.9080_.v1_.ratings.default.svc.cluster.local", result.ParseResult.Hello.GetServerName());
        var relayed = await input.ReadAsync(TestCancellation);
        Assert.Equal(result.ParseResult.Hello.Length, relayed.Buffer.Length);
        Assert.Equal(0x16, relayed.Buffer.FirstSpan[0]);
        input.AdvanceTo(relayed.Buffer.End);
        socket.Close();
        await curl.WaitAsync(TestBound, TestCancellation);
    }

    private async Task AssertNextReadReturnsAsync(byte[] expected)
    {
        // The next read returns at once, with nothing consumed.
        var next = await _pipe.Reader.ReadAsync(TestCancellation).AsTask().WaitAsync(TestBound, TestCancellation);
        Assert.Equal(expected, next.Buffer.ToArray());
        _pipe.Reader.AdvanceTo(next.Buffer.End);
    }
}

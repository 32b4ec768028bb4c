using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using MeshProxy.Tcp;

namespace MeshProxy.Benchmarks.Tcp;

/// <summary>
/// The L4 relay over real loopback sockets, wired as <see cref="TcpProxy"/> and the SNI router wire it: each side is
/// read through a pipe over its stream (zero-byte reads first) and written with awaited socket sends. One operation sends
/// <see cref="TransferBytes"/> from a client socket through the relay to a server socket that reads and discards it;
/// divide the bytes by the mean time for throughput. The harness itself allocates nothing per operation (pooled
/// async builder, cached socket awaitables), so "Allocated" is the relay's, the pipes' and the sockets'.
/// </summary>
[MemoryDiagnoser]
public class TcpRelayLoopbackBenchmarks
{
    private const int TransferBytes = 1024 * 1024;

    private readonly byte[] _send = new byte[64 * 1024];
    private readonly byte[] _receive = new byte[64 * 1024];
    private readonly List<IDisposable> _resources = [];
    private Socket _client = null!;
    private Socket _server = null!;
    private Task<TcpRelayOutcome> _relay = null!;

    /// <summary>
    /// The size of the blocks each side reads into, and so the most one socket receive (and, since the relay sends
    /// segment by segment, one send) moves: 64 KiB is TcpProxy's upstream setting; 4 KiB is the pipe default.
    /// </summary>
    [Params(4096, 64 * 1024)]
    public int ReadBufferBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var (client, proxyDownstream) = ConnectedPair();
        var (proxyUpstream, server) = ConnectedPair();
        var readerOptions = new StreamPipeReaderOptions(bufferSize: ReadBufferBytes, minimumReadSize: Math.Min(ReadBufferBytes, 16 * 1024), useZeroByteReads: true);
        _client = client;
        _server = server;
        var fromClient = PipeReader.Create(new NetworkStream(proxyDownstream), readerOptions);
        var fromUpstream = PipeReader.Create(new NetworkStream(proxyUpstream), readerOptions);
        _resources.AddRange([client, server, proxyDownstream, proxyUpstream]);
        _relay = new TcpRelay(TimeSpan.FromHours(1)).RunAsync(fromClient, new SocketRelaySink(proxyDownstream),
            fromUpstream, new SocketRelaySink(proxyUpstream));
    }

    [Benchmark(OperationsPerInvoke = 1)]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<long> RelayOneMebibyte()
    {
        var sending = SendAllAsync();
        long received = 0;
        while (received < TransferBytes)
        {
            var n = await _server.ReceiveAsync(_receive, SocketFlags.None);
            if (n == 0)
            {
                throw new InvalidOperationException("The relay closed the connection.");
            }
            received += n;
        }
        await sending;
        return received;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendAllAsync()
    {
        for (var sent = 0; sent < TransferBytes; sent += _send.Length)
        {
            var chunk = _send.AsMemory();
            while (!chunk.IsEmpty)
            {
                chunk = chunk[await _client.SendAsync(chunk, SocketFlags.None)..];
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Shutdown(SocketShutdown.Send);
        _server.Shutdown(SocketShutdown.Send);
        _relay.Wait(TimeSpan.FromSeconds(10));
        foreach (var resource in _resources)
        {
            resource.Dispose();
        }
    }

    private static (Socket Connecting, Socket Accepted) ConnectedPair()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var connecting = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        connecting.Connect(listener.LocalEndPoint!);
        var accepted = listener.Accept();
        accepted.NoDelay = true;
        return (connecting, accepted);
    }
}

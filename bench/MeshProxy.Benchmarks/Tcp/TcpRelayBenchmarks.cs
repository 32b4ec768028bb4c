using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using MeshProxy.Tcp;

namespace MeshProxy.Benchmarks.Tcp;

/// <summary>
/// The L4 copy loop alone: one chunk per operation goes from the client's pipe through <see cref="TcpRelay"/> into a
/// sink that discards it. The pipe runs its reader inline, so a flush drives the relay synchronously and an
/// operation is exactly one chunk: "Allocated" is the relay's allocation per chunk (the goal is 0 B). The copy into
/// the pipe stands in for the socket receive Kestrel does into the same pooled 4 KiB blocks.
/// </summary>
[MemoryDiagnoser]
public class TcpRelayBenchmarks
{
    private Pipe _fromClient = null!;
    private Pipe _fromUpstream = null!;
    private DiscardSink _toUpstream = null!;
    private Task<TcpRelayOutcome> _relay = null!;
    private byte[] _chunk = null!;

    /// <summary>Bytes per operation; Kestrel's pool hands out 4 KiB blocks, so 64 KiB is a chain of 16 segments.</summary>
    [Params(4096, 65536)]
    public int ChunkBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: 0, useSynchronizationContext: false);
        _fromClient = new Pipe(options);
        _fromUpstream = new Pipe(options);
        _toUpstream = new DiscardSink();
        _chunk = new byte[ChunkBytes];
        Random.Shared.NextBytes(_chunk);
        _relay = new TcpRelay(TimeSpan.FromHours(1)).RunAsync(_fromClient.Reader, new DiscardSink(), _fromUpstream.Reader, _toUpstream);
    }

    [Benchmark]
    public long RelayOneChunk()
    {
        var before = _toUpstream.Bytes;
        var flush = _fromClient.Writer.WriteAsync(_chunk);
        if (!flush.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("The pipe applied back-pressure; the relay did not drain the chunk inline.");
        }
        var relayed = _toUpstream.Bytes - before;
        if (relayed != ChunkBytes)
        {
            throw new InvalidOperationException($"The relay passed on {relayed} bytes of {ChunkBytes}.");
        }
        return relayed;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _fromClient.Writer.Complete();
        _fromUpstream.Writer.Complete();
        if (!_relay.Wait(TimeSpan.FromSeconds(10)) || _relay.Result != TcpRelayOutcome.Completed)
        {
            throw new InvalidOperationException("The relay did not finish cleanly.");
        }
    }
}

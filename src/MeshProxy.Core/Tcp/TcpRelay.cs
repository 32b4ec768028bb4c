using System.IO.Pipelines;

namespace MeshProxy.Tcp;

/// <summary>
/// Copies bytes both ways between a client and an upstream until both directions have finished.
/// Each direction reads from a pipe (pooled buffers; an idle connection holds none, thanks to zero-length reads) and
/// writes to a socket, so no chunk allocates and nothing waits in a user-space buffer. Half-close travels both ways:
/// the end of one direction is passed on as a FIN while the other keeps flowing. A connection with no bytes in either
/// direction for the idle timeout is closed.
/// </summary>
/// <remarks>
/// Kestrel's ConnectionClosed token is deliberately not watched: Kestrel fires it as soon as the client's FIN
/// arrives (HTTP has no half-close), which would cut the direction that is still open. A drain that times out
/// aborts the transport instead, and the failing reads end the relay.
/// </remarks>
internal sealed class TcpRelay
{
    private readonly TimeSpan _idleTimeout;
    private readonly CancellationTokenSource _stop = new();
    private long _bytesToUpstream;
    private long _bytesToDownstream;

    public TcpRelay(TimeSpan idleTimeout) => _idleTimeout = idleTimeout;

    public long BytesToUpstream => Interlocked.Read(ref _bytesToUpstream);

    public long BytesToDownstream => Interlocked.Read(ref _bytesToDownstream);

    /// <summary>The first failure, if the relay did not end cleanly (for the log).</summary>
    public Exception? Error { get; private set; }

    public async Task<TcpRelayOutcome> RunAsync(PipeReader fromClient, IRelaySink toClient, PipeReader fromUpstream, IRelaySink toUpstream)
    {
        ArmIdleTimer();
        var clientToUpstream = CopyAsync(fromClient, toUpstream, towardsUpstream: true);
        var upstreamToClient = CopyAsync(fromUpstream, toClient, towardsUpstream: false);
        var first = await Task.WhenAny(clientToUpstream, upstreamToClient);
        if (first.Result != TcpRelayOutcome.Completed)
        {
            // A reset, an error or the idle timeout on one side ends the other side too.
            await _stop.CancelAsync();
        }
        var results = await Task.WhenAll(clientToUpstream, upstreamToClient);
        _stop.Dispose();
        return results[0] != TcpRelayOutcome.Completed ? results[0] : results[1];
    }

    private void ArmIdleTimer()
    {
        if (_idleTimeout > TimeSpan.Zero)
        {
            _stop.CancelAfter(_idleTimeout);
        }
    }

    private async Task<TcpRelayOutcome> CopyAsync(PipeReader reader, IRelaySink sink, bool towardsUpstream)
    {
        var readFailure = towardsUpstream ? TcpRelayOutcome.DownstreamError : TcpRelayOutcome.UpstreamError;
        var writeFailure = towardsUpstream ? TcpRelayOutcome.UpstreamError : TcpRelayOutcome.DownstreamError;
        try
        {
            if (towardsUpstream)
            {
                // The client's first read returns at once with whatever is buffered, bytes a sniffer examined included:
                // after a detection timeout a pipe's next read would wait for new bytes, while the client may be waiting
                // for an answer to these. (A canceled read returns the buffer; the pipe offers no other way to unexamine.)
                reader.CancelPendingRead();
            }
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await reader.ReadAsync(_stop.Token);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Error ??= ex;
                    return readFailure;
                }

                var buffer = result.Buffer;
                // Read the length now: after AdvanceTo the segments may already be reused.
                var length = buffer.Length;
                try
                {
                    foreach (var segment in buffer)
                    {
                        await sink.SendAsync(segment, _stop.Token);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Error ??= ex;
                    return writeFailure;
                }
                finally
                {
                    reader.AdvanceTo(buffer.End);
                }

                if (length > 0)
                {
                    Interlocked.Add(ref towardsUpstream ? ref _bytesToUpstream : ref _bytesToDownstream, length);
                    ArmIdleTimer();
                }
                if (result.IsCompleted)
                {
                    await sink.ShutdownSendAsync();
                    return TcpRelayOutcome.Completed;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return TcpRelayOutcome.Aborted;
        }
        catch (Exception ex)
        {
            // Not a peer's doing (those are read and write failures above): kept for the log, and the connection ends.
            Error ??= ex;
            return TcpRelayOutcome.Failed;
        }
    }
}

/// <summary>How a relay ended.</summary>
internal enum TcpRelayOutcome
{
    /// <summary>Both sides finished cleanly.</summary>
    Completed,

    /// <summary>The upstream reset or failed.</summary>
    UpstreamError,

    /// <summary>The client reset or failed.</summary>
    DownstreamError,

    /// <summary>The idle timeout fired, or the other direction failed first.</summary>
    Aborted,

    /// <summary>The relay itself failed (<see cref="TcpRelay.Error"/> says how).</summary>
    Failed,
}

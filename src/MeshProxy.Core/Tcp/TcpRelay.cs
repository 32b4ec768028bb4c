using System.Buffers;
using System.IO.Pipelines;

namespace MeshProxy.Tcp;

/// <summary>
/// Copies bytes both ways between a client and an upstream until both sides have finished.
/// Half-close travels in both directions: the end of one direction is passed on as a FIN while the other
/// direction keeps flowing. Buffers come from the pipes' pools, so no chunk allocates. A connection with no
/// bytes in either direction for the idle timeout is closed.
/// </summary>
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

    /// <remarks>
    /// Kestrel's ConnectionClosed token is deliberately not watched: Kestrel fires it as soon as the client's FIN
    /// arrives (HTTP has no half-close), which would cut the direction that is still open. A drain that times out
    /// aborts the transport instead, and the failing reads end the relay.
    /// </remarks>
    public async Task<TcpRelayOutcome> RunAsync(PipeReader fromClient, IDownstreamSink toClient, IDuplexPipe upstream)
    {
        ArmIdleTimer();
        var toUpstream = CopyToUpstreamAsync(fromClient, upstream.Output);
        var toDownstream = CopyToClientAsync(upstream.Input, toClient);
        var first = await Task.WhenAny(toUpstream, toDownstream);
        if (first.Result != TcpRelayOutcome.Completed)
        {
            // A reset, an error or the idle timeout on one side ends the other side too.
            await _stop.CancelAsync();
        }
        var results = await Task.WhenAll(toUpstream, toDownstream);
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

    private async Task<TcpRelayOutcome> CopyToUpstreamAsync(PipeReader reader, PipeWriter writer)
    {
        var outcome = TcpRelayOutcome.Completed;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_stop.Token);
                var buffer = result.Buffer;
                foreach (var segment in buffer)
                {
                    writer.Write(segment.Span);
                }
                Interlocked.Add(ref _bytesToUpstream, buffer.Length);
                reader.AdvanceTo(buffer.End);
                if (!buffer.IsEmpty)
                {
                    ArmIdleTimer();
                    var flush = await writer.FlushAsync(_stop.Token);
                    if (flush.IsCompleted)
                    {
                        return outcome = TcpRelayOutcome.UpstreamError;
                    }
                }
                if (result.IsCompleted)
                {
                    return outcome;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return outcome = TcpRelayOutcome.Aborted;
        }
        catch (Exception ex)
        {
            Error ??= ex;
            return outcome = TcpRelayOutcome.DownstreamError;
        }
        finally
        {
            // Completing the upstream output sends FIN upstream; the other direction carries on.
            writer.Complete();
        }
    }

    private async Task<TcpRelayOutcome> CopyToClientAsync(PipeReader reader, IDownstreamSink sink)
    {
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_stop.Token);
                var buffer = result.Buffer;
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
                    return TcpRelayOutcome.DownstreamError;
                }
                finally
                {
                    reader.AdvanceTo(buffer.End);
                }
                if (!buffer.IsEmpty)
                {
                    Interlocked.Add(ref _bytesToDownstream, buffer.Length);
                    ArmIdleTimer();
                }
                if (result.IsCompleted)
                {
                    sink.ShutdownSend();
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
            Error ??= ex;
            return _stop.IsCancellationRequested ? TcpRelayOutcome.Aborted : TcpRelayOutcome.UpstreamError;
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

    /// <summary>The idle timeout fired or the connection was closed by the proxy (drain).</summary>
    Aborted,
}

using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace MeshProxy.Tls;

/// <summary>
/// Waits for a connection's ClientHello on its <see cref="PipeReader"/> without consuming anything, so that the bytes
/// can then be relayed upstream untouched (the east-west gateway's TLS passthrough).
/// </summary>
public static class ClientHelloReader
{
    /// <summary>
    /// Reads until <see cref="ClientHelloParser"/> answers Found or NotTls, the peer stops sending, or
    /// <paramref name="timeout"/> (for the whole ClientHello, measured on <paramref name="timeProvider"/>) elapses.
    /// Nothing is consumed. On Completed and EndOfStream nothing is left examined either, so the next read of
    /// <paramref name="input"/> returns every byte at once. On TimedOut and ReadCanceled the bytes are still there, but a
    /// <see cref="Pipe"/> remembers them as examined: its next read returns them together with the next new bytes or
    /// the end of the stream, and no sooner (it offers no way to un-examine bytes; TcpRelay's first read takes them at once). Peer input never makes it throw; canceling <paramref name="cancellationToken"/> throws
    /// <see cref="OperationCanceledException"/>, and a failing transport throws what <see cref="PipeReader"/> throws.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<ClientHelloReadResult> ReadAsync(PipeReader input, ClientHelloLimits limits, TimeSpan timeout,
        TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(timeProvider);

        // Most hellos arrive in the first segment: answer without a timer when they are already buffered.
        var result = ClientHelloParser.Parse(ReadOnlySequence<byte>.Empty, limits);
        if (input.TryRead(out var buffered) && Examine(input, buffered, limits, out result) is { } done)
        {
            return new ClientHelloReadResult(done, result);
        }

        using var timeoutSource = new CancellationTokenSource(timeout, timeProvider);
        // Every connection reads its hello: link only when the caller's token can fire (the proxy's callers pass none).
        using var linkedSource = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, cancellationToken) : null;
        var token = linkedSource?.Token ?? timeoutSource.Token;
        while (true)
        {
            ReadResult read;
            try
            {
                // Not ReadAtLeastAsync(length + BytesNeeded): after AdvanceTo(start, end), Pipe's implementation waits
                // for that many bytes beyond the examined ones (seen on .NET 10), so it would wait past the hello.
                // Parsing each arrival again is cheap: the parser skips over what it does not need.
                read = await input.ReadAsync(token);
            }
            catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return new ClientHelloReadResult(ClientHelloReadStatus.TimedOut, result);
            }
            if (Examine(input, read, limits, out result) is { } status)
            {
                return new ClientHelloReadResult(status, result);
            }
        }
    }

    /// <summary>Parses what is buffered and hands the bytes back to the pipe. Null when the parser needs more and more can come.</summary>
    private static ClientHelloReadStatus? Examine(PipeReader input, in ReadResult read, in ClientHelloLimits limits,
        out ClientHelloParseResult result)
    {
        var buffer = read.Buffer;
        result = ClientHelloParser.Parse(buffer, limits);
        ClientHelloReadStatus? status = result.Status != ClientHelloParseStatus.NeedMoreData ? ClientHelloReadStatus.Completed
            : read.IsCanceled ? ClientHelloReadStatus.ReadCanceled
            : read.IsCompleted ? ClientHelloReadStatus.EndOfStream
            : null;
        if (status is null)
        {
            // Examined to the end: the next read waits for new bytes instead of returning these again.
            input.AdvanceTo(buffer.Start, buffer.End);
        }
        else
        {
            // Nothing consumed or examined: whoever reads next (the relay) gets every byte at once.
            input.AdvanceTo(buffer.Start);
        }
        return status;
    }
}

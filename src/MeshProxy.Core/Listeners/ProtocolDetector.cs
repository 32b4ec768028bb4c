using System.IO.Pipelines;

namespace MeshProxy.Listeners;

/// <summary>
/// Waits for enough of a connection's first bytes to classify it, without consuming any: whatever handles the
/// connection next reads the same bytes from the start.
/// </summary>
/// <remarks>
/// Kestrel's ConnectionClosed token is deliberately not watched: it fires on the client's FIN, and a client that
/// sends its bytes and half-closes at once would lose them. A client that goes away ends the read by itself.
/// </remarks>
internal static class ProtocolDetector
{
    public static async ValueTask<Detection> DetectAsync(PipeReader input, TimeSpan timeout, TimeProvider timeProvider)
    {
        using var deadline = new CancellationTokenSource(timeout, timeProvider);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                return new Detection(DetectedProtocol.NeedMoreData, TimedOut: true);
            }
            catch (IOException)
            {
                // The client reset the connection before its first bytes were conclusive.
                return new Detection(DetectedProtocol.NeedMoreData, TimedOut: false);
            }

            var buffer = result.Buffer;
            var protocol = ProtocolSniffer.Detect(buffer);
            if (protocol != DetectedProtocol.NeedMoreData)
            {
                input.AdvanceTo(buffer.Start);
                return new Detection(protocol, TimedOut: false);
            }
            if (result.IsCompleted)
            {
                // The client finished sending before the bytes were conclusive: relay what there is as opaque.
                input.AdvanceTo(buffer.Start);
                return new Detection(buffer.IsEmpty ? DetectedProtocol.NeedMoreData : DetectedProtocol.Opaque, TimedOut: false);
            }
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}

/// <summary>The outcome of detection: a protocol, or NeedMoreData with <see cref="TimedOut"/> telling a timeout from a client that left.</summary>
internal readonly record struct Detection(DetectedProtocol Protocol, bool TimedOut);

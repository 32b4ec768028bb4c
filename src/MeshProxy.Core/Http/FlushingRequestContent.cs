using System.Net;

namespace MeshProxy.Http;

/// <summary>
/// Sends each piece of a request body upstream as soon as it arrives from the client. YARP flushes the upstream
/// request stream only for gRPC; otherwise SocketsHttpHandler keeps small writes in its buffer, so a client that
/// streams a body in pieces, or waits for a reply in the middle of one, would stall. Envoy forwards data as it comes.
/// </summary>
internal sealed class FlushingRequestContent : HttpContent
{
    private readonly HttpContent _inner;

    public FlushingRequestContent(HttpContent inner)
    {
        _inner = inner;
        foreach (var header in inner.Headers)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        => _inner.CopyToAsync(new FlushingStream(stream, copy: null), context, cancellationToken);

    protected override bool TryComputeLength(out long length)
    {
        length = _inner.Headers.ContentLength ?? 0;
        return _inner.Headers.ContentLength.HasValue;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }
}

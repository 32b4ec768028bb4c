using MeshProxy.Resilience;

namespace MeshProxy.Http;

/// <summary>
/// Writes a request body through to the upstream request stream and flushes after every write, as Envoy forwards
/// data as it comes; optionally keeps a copy for retries (<see cref="ReplayableRequestBody"/>).
/// </summary>
internal sealed class FlushingStream(Stream inner, ReplayableRequestBody? copy) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        copy?.Keep(buffer.Span);
        await inner.WriteAsync(buffer, cancellationToken);
        await inner.FlushAsync(cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        copy?.Keep(buffer.AsSpan(offset, count));
        inner.Write(buffer, offset, count);
        inner.Flush();
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}

namespace MeshProxy.Http;

/// <summary>
/// Wraps a body stream to count the bytes that pass and to learn when a read reaches the end. Used on request bodies
/// (Envoy's route timeout starts once the client has sent the whole request, and istio_request_bytes needs the size of
/// chunked bodies) and on response bodies without a Content-Length (istio_response_bytes). Only wrapped when needed.
/// </summary>
internal sealed class ObservedStream : Stream
{
    private readonly Stream _inner;
    private Action? _onReadCompleted;
    private long _bytes;

    public ObservedStream(Stream inner, Action? onReadCompleted = null)
    {
        _inner = inner;
        _onReadCompleted = onReadCompleted;
    }

    /// <summary>Bytes read or written so far.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    public override bool CanRead => _inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => _inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => Observe(await _inner.ReadAsync(buffer, cancellationToken), buffer.Length);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Observe(_inner.Read(buffer, offset, count), count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Interlocked.Add(ref _bytes, buffer.Length);
        return _inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        Interlocked.Add(ref _bytes, count);
        _inner.Write(buffer, offset, count);
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override void Flush() => _inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private int Observe(int read, int requested)
    {
        if (read > 0)
        {
            Interlocked.Add(ref _bytes, read);
        }
        else if (requested > 0)
        {
            Interlocked.Exchange(ref _onReadCompleted, null)?.Invoke();
        }
        return read;
    }
}

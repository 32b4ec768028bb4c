namespace MeshProxy.Http;

/// <summary>
/// Wraps a request body to learn when the client has sent all of it: Envoy's route timeout starts at the end
/// of the downstream request, not at its first byte, so long uploads are not cut short.
/// </summary>
internal sealed class RequestBodyCompletionStream : Stream
{
    private readonly Stream _inner;
    private Action? _onCompleted;

    public RequestBodyCompletionStream(Stream inner, Action onCompleted)
    {
        _inner = inner;
        _onCompleted = onCompleted;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _inner.ReadAsync(buffer, cancellationToken);
        if (read == 0 && buffer.Length > 0)
        {
            Complete();
        }
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = _inner.Read(buffer, offset, count);
        if (read == 0 && count > 0)
        {
            Complete();
        }
        return read;
    }

    private void Complete() => Interlocked.Exchange(ref _onCompleted, null)?.Invoke();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

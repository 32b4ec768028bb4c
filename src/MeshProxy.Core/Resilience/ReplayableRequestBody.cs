using System.Buffers;
using System.Net;
using MeshProxy.Http;

namespace MeshProxy.Resilience;

/// <summary>
/// A request body that retries and hedges can send again (Envoy's request buffer). The first attempt to send it
/// streams it from the client as usual, flushing each piece upstream as it arrives, and keeps a copy in pooled
/// chunks up to the limit; later attempts send the copy. A body over the limit streams on without a copy and cannot
/// be replayed, so its request is not retried. Disposed when its request ends.
/// </summary>
internal sealed class ReplayableRequestBody : IDisposable
{
    private const int ChunkSize = 16 * 1024;
    private const int NotStarted = 0;
    private const int Streaming = 1;
    private const int Complete = 2;
    private const int Failed = 3;

    private readonly HttpContent _source;
    private readonly int _limit;
    private readonly List<byte[]> _chunks = [];
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _length;
    private bool _overflowed;
    private int _state;

    public ReplayableRequestBody(HttpContent source, int limit)
    {
        _source = source;
        _limit = limit;
    }

    /// <summary>Completes when the client's whole body has passed (or the first attempt failed to read it).</summary>
    public Task Completion => _completion.Task;

    /// <summary>Whether another attempt can send the body: nobody has started it, or all of it is kept.</summary>
    public bool CanReplay => Volatile.Read(ref _state) switch
    {
        NotStarted => true,
        Complete => !_overflowed,
        _ => false,
    };

    /// <summary>A content for one attempt.</summary>
    public HttpContent CreateContent() => new AttemptContent(this);

    private async Task WriteToAsync(Stream upstream, CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, Streaming, NotStarted) == NotStarted)
        {
            try
            {
                await _source.CopyToAsync(new FlushingStream(upstream, this), cancellationToken);
                Volatile.Write(ref _state, Complete);
            }
            catch
            {
                Volatile.Write(ref _state, Failed);
                throw;
            }
            finally
            {
                _completion.TrySetResult();
            }
            return;
        }
        if (!CanReplay)
        {
            throw new InvalidOperationException("The request body is over the buffer limit or was cut off, so it cannot be sent again.");
        }
        var remaining = _length;
        foreach (var chunk in _chunks)
        {
            var count = (int)Math.Min(chunk.Length, remaining);
            await upstream.WriteAsync(chunk.AsMemory(0, count), cancellationToken);
            remaining -= count;
        }
        await upstream.FlushAsync(cancellationToken);
    }

    /// <summary>Keeps a copy of the next piece of the body, while it fits under the limit.</summary>
    internal void Keep(ReadOnlySpan<byte> data)
    {
        if (_overflowed)
        {
            return;
        }
        if (_length + data.Length > _limit)
        {
            // Over the limit: stream on without a copy; the request can no longer be retried.
            _overflowed = true;
            ReturnChunks();
            return;
        }
        while (!data.IsEmpty)
        {
            var offset = (int)(_length % ChunkSize);
            if (offset == 0)
            {
                _chunks.Add(ArrayPool<byte>.Shared.Rent(ChunkSize));
            }
            var chunk = _chunks[^1];
            var count = Math.Min(data.Length, ChunkSize - offset);
            data[..count].CopyTo(chunk.AsSpan(offset));
            data = data[count..];
            _length += count;
        }
    }

    private void ReturnChunks()
    {
        foreach (var chunk in _chunks)
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        _chunks.Clear();
    }

    public void Dispose()
    {
        // Attempts still sending the copy hold no chunk beyond this point: the request has ended.
        if (Volatile.Read(ref _state) != Streaming)
        {
            ReturnChunks();
        }
    }

    private sealed class AttemptContent : HttpContent
    {
        private readonly ReplayableRequestBody _body;

        public AttemptContent(ReplayableRequestBody body)
        {
            _body = body;
            foreach (var header in body._source.Headers)
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context)
            => _body.WriteToAsync(stream, CancellationToken.None);

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
            => _body.WriteToAsync(stream, cancellationToken);

        protected override bool TryComputeLength(out long length)
        {
            length = _body._source.Headers.ContentLength ?? 0;
            return _body._source.Headers.ContentLength.HasValue;
        }
    }
}

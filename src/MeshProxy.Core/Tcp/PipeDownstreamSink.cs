using System.IO.Pipelines;

namespace MeshProxy.Tcp;

/// <summary>Writes to the connection's output pipe; used when there is no raw socket (after TLS termination).</summary>
internal sealed class PipeDownstreamSink : IDownstreamSink
{
    private readonly PipeWriter _writer;

    public PipeDownstreamSink(PipeWriter writer) => _writer = writer;

    public async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        => await _writer.WriteAsync(data, cancellationToken);

    public void ShutdownSend() => _writer.Complete();
}

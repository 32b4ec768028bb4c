using System.IO.Pipelines;

namespace MeshProxy.Tcp;

/// <summary>Writes to a connection's output pipe; used when there is no raw socket (after TLS termination).</summary>
internal sealed class PipeRelaySink : IRelaySink
{
    private readonly PipeWriter _writer;

    public PipeRelaySink(PipeWriter writer) => _writer = writer;

    public async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        => await _writer.WriteAsync(data, cancellationToken);

    public ValueTask ShutdownSendAsync() => _writer.CompleteAsync();
}

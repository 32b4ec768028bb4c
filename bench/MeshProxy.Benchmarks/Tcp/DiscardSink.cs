using MeshProxy.Tcp;

namespace MeshProxy.Benchmarks.Tcp;

/// <summary>A relay sink that counts what it is given and throws it away, so only the relay's own cost is measured.</summary>
internal sealed class DiscardSink : IRelaySink
{
    public long Bytes { get; private set; }

    public ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        Bytes += data.Length;
        return ValueTask.CompletedTask;
    }

    public ValueTask ShutdownSendAsync() => ValueTask.CompletedTask;
}

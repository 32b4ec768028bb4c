using System.Net.Security;
using System.Net.Sockets;

namespace MeshProxy.Tcp;

/// <summary>
/// Writes to an upstream mTLS stream. Half-close is TLS's close_notify followed by a FIN, so the peer proxy sees the
/// end of this direction and can pass it on while the other direction keeps flowing.
/// </summary>
internal sealed class TlsRelaySink : IRelaySink
{
    private readonly SslStream _stream;
    private readonly Socket _socket;

    public TlsRelaySink(SslStream stream, Socket socket)
    {
        _stream = stream;
        _socket = socket;
    }

    public ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => _stream.WriteAsync(data, cancellationToken);

    public async ValueTask ShutdownSendAsync()
    {
        try
        {
            await _stream.ShutdownAsync();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The peer is gone; the relay is ending anyway.
        }
        SocketRelaySink.Shutdown(_socket);
    }
}

using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace MeshProxy.Tcp;

/// <summary>
/// Writes to an upstream mTLS stream. Half-close is TLS's close_notify followed by a FIN, so the peer proxy sees the
/// end of this direction and can pass it on while the other direction keeps flowing. The close_notify goes through
/// the session's <see cref="TlsShutdownLock"/>, since the other direction may be decrypting at that moment.
/// </summary>
internal sealed class TlsRelaySink : IRelaySink
{
    private readonly SslStream _stream;
    private readonly TlsShutdownLock _shutdownLock;
    private readonly Socket _socket;

    public TlsRelaySink(SslStream stream, TlsShutdownLock shutdownLock, Socket socket)
    {
        _stream = stream;
        _shutdownLock = shutdownLock;
        _socket = socket;
    }

    public ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => _stream.WriteAsync(data, cancellationToken);

    public async ValueTask ShutdownSendAsync()
    {
        try
        {
            await _shutdownLock.ShutdownAsync(_stream);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The peer is gone; the relay is ending anyway.
        }
        catch (CryptographicException)
        {
            // OpenSSL refuses while the peer's handshake message is half received (a session ticket split across
            // records): the FIN alone ends this direction, which a TLS peer reads as the end of the stream.
        }
        SocketRelaySink.Shutdown(_socket);
    }
}

using System.Net.Sockets;

namespace MeshProxy.Tcp;

/// <summary>
/// Writes straight to the accepted socket. Kestrel's transport closes both directions when its output pipe
/// completes, which would cut off a client that is still sending; writing to the socket directly (Kestrel's
/// own send loop stays idle because nothing is written to its pipe) lets the relay send a real half-close.
/// </summary>
internal sealed class SocketDownstreamSink : IDownstreamSink
{
    private readonly Socket _socket;

    public SocketDownstreamSink(Socket socket) => _socket = socket;

    public async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var sent = await _socket.SendAsync(data, SocketFlags.None, cancellationToken);
            data = data[sent..];
        }
    }

    public void ShutdownSend()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The client is already gone; the relay is ending anyway.
        }
    }
}

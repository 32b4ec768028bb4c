using System.Net.Sockets;

namespace MeshProxy.Tcp;

/// <summary>
/// Writes straight to a socket. For the accepted socket this also sidesteps Kestrel's transport, which closes both
/// directions when its output pipe completes and would cut off a client that is still sending; nothing is written
/// to Kestrel's output pipe, so its send loop stays idle.
/// </summary>
internal sealed class SocketRelaySink : IRelaySink
{
    private readonly Socket _socket;

    public SocketRelaySink(Socket socket) => _socket = socket;

    public async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var sent = await _socket.SendAsync(data, SocketFlags.None, cancellationToken);
            data = data[sent..];
        }
    }

    public ValueTask ShutdownSendAsync()
    {
        Shutdown(_socket);
        return ValueTask.CompletedTask;
    }

    /// <summary>Sends a FIN; a socket whose peer is gone needs none, the relay is ending anyway.</summary>
    public static void Shutdown(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }
}

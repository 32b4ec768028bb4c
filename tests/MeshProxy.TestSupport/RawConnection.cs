using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MeshProxy.TestSupport;

/// <summary>A raw TCP client for sending exactly the bytes a test wants (malformed requests, silence) and reading what comes back.</summary>
public sealed class RawConnection : IDisposable
{
    private readonly Socket _socket;

    private RawConnection(Socket socket) => _socket = socket;

    public static async Task<RawConnection> ConnectAsync(IPEndPoint endpoint)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endpoint);
        return new RawConnection(socket);
    }

    public Socket Socket => _socket;

    public Task SendAsync(string text) => SendAsync(Encoding.ASCII.GetBytes(text));

    public async Task SendAsync(byte[] bytes) => await _socket.SendAsync(bytes);

    /// <summary>Reads until the peer closes (FIN or reset) or the timeout; returns what arrived and whether the peer closed.</summary>
    public async Task<(string Text, bool Closed)> ReadUntilClosedAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await _socket.ReceiveAsync(buffer, deadline.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
            return (Encoding.ASCII.GetString(received.ToArray()), true);
        }
        catch (SocketException)
        {
            return (Encoding.ASCII.GetString(received.ToArray()), true);
        }
        catch (OperationCanceledException)
        {
            return (Encoding.ASCII.GetString(received.ToArray()), false);
        }
    }

    public void Dispose() => _socket.Dispose();
}

using System.Net;
using System.Net.Sockets;

namespace MeshProxy.TestSupport;

/// <summary>
/// A loopback port on which connections are refused, held for the test's duration: the socket is bound but never
/// listens, so the kernel answers connection attempts with a reset and no other test can take the port meanwhile.
/// </summary>
public sealed class RefusingPort : IDisposable
{
    private readonly Socket _socket;

    public RefusingPort()
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    }

    public IPEndPoint Address => (IPEndPoint)_socket.LocalEndPoint!;

    public void Dispose() => _socket.Dispose();
}

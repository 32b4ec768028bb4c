using System.Net;
using System.Net.Sockets;

namespace MeshProxy.Upstream;

/// <summary>
/// Opens upstream TCP connections for both the L4 relay and the HTTP engine, so both honour the same
/// cluster settings: a source address to bind (inbound uses 127.0.0.6) and no Nagle delay.
/// </summary>
public static class UpstreamSocketConnector
{
    public static async ValueTask<Socket> ConnectAsync(IPEndPoint target, IPAddress? sourceAddress, CancellationToken cancellationToken)
    {
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (sourceAddress is not null)
            {
                socket.Bind(new IPEndPoint(sourceAddress, 0));
            }
            await socket.ConnectAsync(target, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

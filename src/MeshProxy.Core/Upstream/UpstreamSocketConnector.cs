using System.Net;
using System.Net.Sockets;
using MeshProxy.Utilities;

namespace MeshProxy.Upstream;

/// <summary>
/// Opens upstream TCP connections for both the L4 relay and the HTTP engine, so both honour the same
/// cluster settings: a source address to bind (inbound uses 127.0.0.6 or ::6) and no Nagle delay.
/// </summary>
public static class UpstreamSocketConnector
{
    public static async ValueTask<Socket> ConnectAsync(IPEndPoint target, IReadOnlyList<IPAddress> sourceAddresses, CancellationToken cancellationToken)
    {
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (AddressFamilies.Pick(sourceAddresses, target.AddressFamily) is { } sourceAddress)
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

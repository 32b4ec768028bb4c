using System.Net.Sockets;
using Grpc.Net.Client;

namespace MeshProxy.Identity.Workload;

/// <summary>Creates the gRPC channel (HTTP/2 cleartext, as the spec requires) to a Workload API endpoint.</summary>
internal static class WorkloadApiChannel
{
    public static GrpcChannel Create(WorkloadEndpointAddress address)
    {
        if (address.TcpEndPoint is { } endPoint)
        {
            return GrpcChannel.ForAddress($"http://{endPoint}");
        }
        var socketPath = address.UnixSocketPath!;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        // The host in the URI is never resolved: every connection goes to the socket above.
        return GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }
}

using System.Net;
using System.Net.Sockets;

namespace MeshProxy.TestSupport.Namespaces;

/// <summary>
/// An echo server in a namespace: records who connected, sends every byte back as it arrives, and closes its
/// side when the peer closes its own.
/// </summary>
public sealed class RecordingEchoServer : NamespaceTcpServer<RecordedEcho>
{
    private RecordingEchoServer(NetworkNamespace ns, IPEndPoint bindTo) : base(ns, bindTo)
    {
    }

    public static RecordingEchoServer Start(NetworkNamespace ns, IPEndPoint bindTo)
    {
        var server = new RecordingEchoServer(ns, bindTo);
        server.StartAccepting();
        return server;
    }

    protected override async Task HandleAsync(Socket connection, CancellationToken cancellationToken)
    {
        Record(new RecordedEcho(Normalize(connection.RemoteEndPoint), Normalize(connection.LocalEndPoint)));
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await connection.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
        {
            var data = buffer.AsMemory(0, read);
            while (!data.IsEmpty)
            {
                data = data[await connection.SendAsync(data, SocketFlags.None, cancellationToken)..];
            }
        }
        connection.Shutdown(SocketShutdown.Send);
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MeshProxy.TestSupport.Namespaces;

/// <summary>
/// A minimal HTTP/1.1 server in a namespace: it records each request (peer, local address, headers) and answers
/// 200 with "server=NAME peer=ADDRESS" and Connection: close, so the client sees who the server saw.
/// </summary>
public sealed class RecordingHttpServer : NamespaceTcpServer<RecordedRequest>
{
    private const int MaxHeaderBytes = 64 * 1024;
    private readonly string _name;

    private RecordingHttpServer(NetworkNamespace ns, IPEndPoint bindTo, string name) : base(ns, bindTo) => _name = name;

    public static RecordingHttpServer Start(NetworkNamespace ns, IPEndPoint bindTo, string name)
    {
        var server = new RecordingHttpServer(ns, bindTo, name);
        server.StartAccepting();
        return server;
    }

    protected override async Task HandleAsync(Socket connection, CancellationToken cancellationToken)
    {
        var head = await ReadHeadAsync(connection, cancellationToken);
        if (head is null)
        {
            return;
        }
        var lines = head.Split("\r\n");
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
            }
        }
        var peer = Normalize(connection.RemoteEndPoint);
        Record(new RecordedRequest(peer, Normalize(connection.LocalEndPoint), lines[0], headers));

        var body = $"server={_name} peer={peer}\n";
        var response = $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {Encoding.ASCII.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
        await connection.SendAsync(Encoding.ASCII.GetBytes(response), SocketFlags.None, cancellationToken);
        connection.Shutdown(SocketShutdown.Send);
    }

    /// <summary>The request line and headers, or null when the peer closed before sending them.</summary>
    private static async Task<string?> ReadHeadAsync(Socket connection, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxHeaderBytes];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await connection.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                return null;
            }
            length += read;
            var text = Encoding.ASCII.GetString(buffer, 0, length);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                return text[..end];
            }
        }
        return null;
    }
}

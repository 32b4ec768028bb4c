using System.Net;
using System.Net.Sockets;

namespace MeshProxy.Tls.Tests;

/// <summary>
/// A loopback TCP server that records the first flight a real TLS client sends, without answering it. It does not use
/// the parser under test to know where the hello ends: it reads until the client goes quiet, since a client sends
/// nothing after its ClientHello until the server answers. Then it closes, and the client gives up.
/// </summary>
internal static class ClientHelloCaptureServer
{
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(500);

    /// <summary>Starts <paramref name="runClient"/> against a fresh port and returns what it sent first.</summary>
    public static async Task<byte[]> CaptureAsync(Func<int, CancellationToken, Task<string>> runClient, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var client = runClient(port, deadline.Token);
        var accept = listener.AcceptSocketAsync(deadline.Token).AsTask();
        if (await Task.WhenAny(accept, client) == client)
        {
            throw new InvalidOperationException($"The client finished without connecting: {await client}");
        }
        byte[] captured;
        using (var socket = await accept)
        {
            captured = await ReadUntilQuietAsync(socket, deadline.Token);
        }
        try
        {
            await client;
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
        {
            // The client's handshake fails by design: the server never answers.
        }
        return captured;
    }

    private static async Task<byte[]> ReadUntilQuietAsync(Socket socket, CancellationToken cancellationToken)
    {
        var received = new List<byte>();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            quiet.CancelAfter(QuietPeriod);
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, SocketFlags.None, quiet.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && received.Count > 0)
            {
                return [.. received];
            }
            if (read == 0)
            {
                return [.. received];
            }
            received.AddRange(buffer.AsSpan(0, read));
        }
    }
}

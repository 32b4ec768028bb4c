using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace MeshProxy.Identity.Tests.Support;

/// <summary>A TLS connection over loopback: both SslStream ends and how each handshake ended.</summary>
public sealed class TlsConnection : IAsyncDisposable
{
    internal TlsConnection(SslStream server, SslStream client, Exception? serverError, Exception? clientError)
    {
        Server = server;
        Client = client;
        ServerError = serverError;
        ClientError = clientError;
    }

    public SslStream Server { get; }

    public SslStream Client { get; }

    public Exception? ServerError { get; }

    public Exception? ClientError { get; }

    public bool Succeeded => ServerError is null && ClientError is null;

    /// <summary>Sends a line from client to server and back, proving the connection carries data.</summary>
    public async Task<bool> EchoAsync(string text, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        await Client.WriteAsync(bytes, deadline.Token);
        var buffer = new byte[bytes.Length];
        await Server.ReadExactlyAsync(buffer, deadline.Token);
        await Server.WriteAsync(buffer, deadline.Token);
        var back = new byte[bytes.Length];
        await Client.ReadExactlyAsync(back, deadline.Token);
        return back.AsSpan().SequenceEqual(bytes);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }
}

/// <summary>Runs one TLS handshake between two SslStreams over a real loopback TCP connection.</summary>
public static class TlsLoopback
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static async Task<TlsConnection> ConnectAsync(SslServerAuthenticationOptions serverOptions, SslClientAuthenticationOptions clientOptions)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var deadline = new CancellationTokenSource(Timeout);
        var clientSocket = new TcpClient();
        var connect = clientSocket.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, deadline.Token).AsTask();
        var serverSocket = await listener.AcceptTcpClientAsync(deadline.Token);
        await connect;

        var server = new SslStream(serverSocket.GetStream(), leaveInnerStreamOpen: false);
        var client = new SslStream(clientSocket.GetStream(), leaveInnerStreamOpen: false);
        var serverHandshake = Capture(server.AuthenticateAsServerAsync(serverOptions, deadline.Token));
        var clientHandshake = Capture(client.AuthenticateAsClientAsync(clientOptions, deadline.Token));
        var clientError = await clientHandshake;
        if (clientError is not null)
        {
            // The server may still wait for the next flight; closing the client ends it.
            client.Dispose();
        }
        var serverError = await serverHandshake;
        if (serverError is not null && clientError is null)
        {
            server.Dispose();
            // With TLS 1.3 the client finishes before the server checks its certificate; the refusal shows on the first read.
            clientError = await Capture(ReadOneByteAsync(client, deadline.Token));
        }
        return new TlsConnection(server, client, serverError, clientError);
    }

    private static async Task ReadOneByteAsync(SslStream stream, CancellationToken cancellationToken)
    {
        var read = await stream.ReadAsync(new byte[1], cancellationToken);
        if (read == 0)
        {
            throw new IOException("The server closed the connection.");
        }
    }

    private static async Task<Exception?> Capture(Task task)
    {
        try
        {
            await task;
            return null;
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or ObjectDisposedException or OperationCanceledException)
        {
            return e;
        }
    }
}

using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MeshProxy.Tcp.Tests;

/// <summary>
/// Half-closing an upstream TLS session (close_notify) while the other direction reads, over real TLS 1.3 on
/// loopback against a .NET server, as the TCP relay does on an mTLS cluster. Without the lock, SslStream on OpenSSL
/// runs SSL_shutdown alongside SSL_read, and the first test failed in 5 runs of 5 (decryption failed, bad record MAC,
/// internal error, application data after close notify), each within its 300 connections.
/// </summary>
public sealed class TlsShutdownLockTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private readonly X509Certificate2 _certificate = SelfSignedCertificate();
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public ValueTask InitializeAsync()
    {
        _listener.Start();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _listener.Dispose();
        _certificate.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task HalfCloseWhileDownloading_EveryByteArrivesAndTheServerSeesTheEnd()
    {
        const int Connections = 300;
        const int Download = 1024 * 1024;
        for (var i = 0; i < Connections; i++)
        {
            // The server streams right after its handshake (its session tickets first), so the client's half-close,
            // after 0-2 ms, lands while the other direction decrypts.
            var server = ServeOneAsync(async tls =>
            {
                var chunk = new byte[16 * 1024];
                for (var sent = 0; sent < Download; sent += chunk.Length)
                {
                    await tls.WriteAsync(chunk);
                }
                return await ReadToEndAsync(tls);
            });
            await using var client = await ClientSession.ConnectAsync(Port);
            var downloading = Task.Run(() => ReadToEndAsync(client.Reader));

            await Task.Delay(i % 3, TestContext.Current.CancellationToken);
            await client.HalfCloseAsync();
            client.Socket.Shutdown(SocketShutdown.Send);

            Assert.Equal(Download, await downloading.WaitAsync(Bound, TestContext.Current.CancellationToken));
            Assert.Equal(0, await server.WaitAsync(Bound, TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task HalfCloseWhileTheReaderWaitsOnAQuietPeer_CompletesAndTheOtherDirectionKeepsFlowing()
    {
        var serverSawEnd = new TaskCompletionSource();
        var server = ServeOneAsync(async tls =>
        {
            var received = await ReadToEndAsync(tls);
            serverSawEnd.SetResult();
            await tls.WriteAsync("after the client's end"u8.ToArray());
            tls.Close();
            return received;
        });
        await using var client = await ClientSession.ConnectAsync(Port);
        var reading = ReadToEndAsync(client.Reader);
        await Task.Delay(100, TestContext.Current.CancellationToken); // the reader is waiting on the network now

        await client.HalfCloseAsync().AsTask().WaitAsync(Bound, TestContext.Current.CancellationToken);

        await serverSawEnd.Task.WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.Equal("after the client's end".Length, await reading.WaitAsync(Bound, TestContext.Current.CancellationToken));
        Assert.Equal(0, await server.WaitAsync(Bound, TestContext.Current.CancellationToken));
    }

    private int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task<int> ServeOneAsync(Func<SslStream, Task<int>> session)
    {
        using var socket = await _listener.AcceptSocketAsync();
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificate = _certificate,
            EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls13,
        });
        return await session(tls);
    }

    private static async Task<int> ReadToEndAsync(Stream stream)
    {
        var buffer = new byte[16 * 1024];
        var total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            total += read;
        }
        return total;
    }

    private static X509Certificate2 SelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=upstream", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // Through PKCS#12, so the key is one OpenSSL can use for the server's handshake.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    /// <summary>A client session built as the TCP proxy builds one for an mTLS cluster.</summary>
    private sealed class ClientSession(Socket socket, TlsShutdownLock shutdownLock, SslStream tls) : IAsyncDisposable
    {
        public Socket Socket => socket;

        public Stream Reader { get; } = shutdownLock.WrapPlaintext(PipeReader.Create(tls)).AsStream();

        public static async Task<ClientSession> ConnectAsync(int port)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, port);
            var shutdownLock = new TlsShutdownLock();
            var tls = new SslStream(shutdownLock.WrapTransport(new NetworkStream(socket, ownsSocket: true)));
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "upstream",
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            });
            return new ClientSession(socket, shutdownLock, tls);
        }

        public ValueTask HalfCloseAsync() => shutdownLock.ShutdownAsync(tls);

        public ValueTask DisposeAsync() => tls.DisposeAsync();
    }
}

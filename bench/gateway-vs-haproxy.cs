// The load tool of bench/gateway-vs-haproxy.sh (a .NET file-based app: `dotnet run gateway-vs-haproxy.cs -- ...`).
//
//   serve                                      a TLS backend on 127.0.0.1 (ECDSA P-256, TLS 1.3); prints "listening PORT"
//   throughput HOST:PORT SNI CONNECTIONS SECONDS  MB/s the backend streams to CONNECTIONS clients through HOST:PORT
//   handshakes HOST:PORT SNI CONCURRENCY SECONDS  full TLS handshakes per second through HOST:PORT (new TCP connection,
//                                                 no resumption, one byte back from the backend so the handshake is
//                                                 known to have completed end to end)
//
// Every run is bounded by SECONDS (plus a 1 s warm-up and a 15 s connect/handshake timeout). Results are printed as
// one line "RESULT <value> <unit> errors=<n>".
using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

// What the client asks for once the TLS session is up.
const byte Download = (byte)'D';
const byte Ping = (byte)'P';

var mode = args.Length > 0 ? args[0] : "";
return mode switch
{
    "serve" => await ServeAsync(),
    "throughput" when args.Length == 5 => await ThroughputAsync(Target(args[1]), args[2], int.Parse(args[3]), int.Parse(args[4])),
    "handshakes" when args.Length == 5 => await HandshakesAsync(Target(args[1]), args[2], int.Parse(args[3]), int.Parse(args[4])),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: serve | throughput HOST:PORT SNI CONNECTIONS SECONDS | handshakes HOST:PORT SNI CONCURRENCY SECONDS");
    return 2;
}

static IPEndPoint Target(string text) => IPEndPoint.Parse(text);

static async Task<int> ServeAsync()
{
    using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    var request = new CertificateRequest("CN=bench-backend", key, HashAlgorithmName.SHA256);
    using var selfSigned = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    var certificate = X509CertificateLoader.LoadPkcs12(selfSigned.Export(X509ContentType.Pkcs12), null);
    var context = SslStreamCertificateContext.Create(certificate, null, offline: true);

    using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
    listener.Listen(1024);
    Console.WriteLine($"listening {((IPEndPoint)listener.LocalEndPoint!).Port}");
    while (true)
    {
        var socket = await listener.AcceptAsync();
        _ = Task.Run(() => ServeOneAsync(socket, context));
    }
}

static async Task ServeOneAsync(Socket socket, SslStreamCertificateContext context)
{
    socket.NoDelay = true;
    var chunk = new byte[64 * 1024];
    try
    {
        await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = context,
            EnabledSslProtocols = SslProtocols.Tls13,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            AllowTlsResume = false,
        });
        var command = new byte[1];
        if (await tls.ReadAsync(command) == 0)
        {
            return;
        }
        if (command[0] == Ping)
        {
            await tls.WriteAsync(command);
            return;
        }
        while (command[0] == Download)
        {
            await tls.WriteAsync(chunk);
        }
    }
    catch (Exception e) when (e is IOException or AuthenticationException or SocketException or ObjectDisposedException)
    {
        // The client closed: the end of a measurement.
    }
}

static async Task<SslStream> ConnectAsync(IPEndPoint target, string sni)
{
    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    try
    {
        await socket.ConnectAsync(target, timeout.Token);
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: true));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = sni,
            EnabledSslProtocols = SslProtocols.Tls13,
            // Istio's values for HTTP/1.1 over mTLS: the gateway's AUTO_PASSTHROUGH requires one of the istio ones.
            ApplicationProtocols = [new SslApplicationProtocol("istio-http/1.1"u8.ToArray()), new SslApplicationProtocol("istio"u8.ToArray()), SslApplicationProtocol.Http11],
            AllowTlsResume = false,
            // The backend's certificate is self-signed: this measures the path, not the PKI.
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        }, timeout.Token);
        return tls;
    }
    catch
    {
        socket.Dispose();
        throw;
    }
}

static async Task<int> ThroughputAsync(IPEndPoint target, string sni, int connections, int seconds)
{
    var streams = new List<SslStream>();
    for (var i = 0; i < connections; i++)
    {
        var tls = await ConnectAsync(target, sni);
        await tls.WriteAsync(new[] { Download });
        streams.Add(tls);
    }
    long counted = 0;
    var counting = 0;
    var errors = 0;
    using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1 + seconds));
    var readers = streams.Select(stream => Task.Run(async () =>
    {
        var buffer = new byte[256 * 1024];
        try
        {
            while (true)
            {
                var read = await stream.ReadAsync(buffer, stop.Token);
                if (read == 0)
                {
                    Interlocked.Increment(ref errors);
                    return;
                }
                if (Volatile.Read(ref counting) == 1)
                {
                    Interlocked.Add(ref counted, read);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
            Interlocked.Increment(ref errors);
        }
    })).ToList();
    await Task.Delay(TimeSpan.FromSeconds(1));
    var clock = Stopwatch.StartNew();
    Volatile.Write(ref counting, 1);
    await Task.WhenAll(readers);
    var elapsed = clock.Elapsed.TotalSeconds;
    foreach (var stream in streams)
    {
        await stream.DisposeAsync();
    }
    Console.WriteLine($"RESULT {Interlocked.Read(ref counted) / elapsed / 1e6:F1} MB/s errors={errors}");
    return 0;
}

static async Task<int> HandshakesAsync(IPEndPoint target, string sni, int concurrency, int seconds)
{
    long completed = 0;
    var counting = 0;
    var errors = 0;
    var deadline = Stopwatch.StartNew();
    var end = TimeSpan.FromSeconds(1 + seconds);
    var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
    {
        var reply = new byte[1];
        while (deadline.Elapsed < end)
        {
            try
            {
                await using var tls = await ConnectAsync(target, sni);
                await tls.WriteAsync(new[] { Ping });
                if (await tls.ReadAsync(reply) == 1 && Volatile.Read(ref counting) == 1)
                {
                    Interlocked.Increment(ref completed);
                }
            }
            catch (Exception e) when (e is IOException or AuthenticationException or SocketException or OperationCanceledException)
            {
                Interlocked.Increment(ref errors);
            }
        }
    })).ToList();
    await Task.Delay(TimeSpan.FromSeconds(1));
    var clock = Stopwatch.StartNew();
    Volatile.Write(ref counting, 1);
    await Task.WhenAll(workers);
    Console.WriteLine($"RESULT {Interlocked.Read(ref completed) / clock.Elapsed.TotalSeconds:F0} handshakes/s errors={errors}");
    return 0;
}

using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using MeshProxy.Identity.Tls;
using MeshProxy.TestSupport.Namespaces;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>
/// A TLS server behind the gateway: it terminates TLS (which the gateway must not) and records what its end of each
/// session saw: the server name, the client's authenticated SPIFFE ID and the ALPN protocol. An HTTP GET is answered
/// with <c>hello from NAME sni=... peer=...</c>; any other bytes are echoed until the client closes. Runs on loopback or
/// inside a network namespace.
/// </summary>
internal sealed class TlsBackend : NamespaceTcpServer<TlsBackendSession>
{
    private readonly string _name;
    private readonly Func<PeerVerification, SslServerAuthenticationOptions> _options;

    private TlsBackend(string name, Socket listener, IPEndPoint bindTo, Func<PeerVerification, SslServerAuthenticationOptions> options)
        : base(listener, bindTo)
    {
        _name = name;
        _options = options;
    }

    public static TlsBackend StartOnLoopback(string name, Func<PeerVerification, SslServerAuthenticationOptions> options)
        => Start(name, new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp), new IPEndPoint(IPAddress.Loopback, 0), options);

    public static TlsBackend StartIn(NetworkNamespace ns, string name, IPEndPoint bindTo, Func<PeerVerification, SslServerAuthenticationOptions> options)
        => Start(name, ns.CreateTcpSocket(bindTo.AddressFamily), bindTo, options);

    /// <summary>A sidecar-like server: SPIFFE mTLS with a required client certificate, negotiating http/1.1 when offered.</summary>
    public static Func<PeerVerification, SslServerAuthenticationOptions> MutualTls(SpiffeTlsOptionsBuilder identity)
        => verification => identity.CreateServerOptions(new SpiffeTlsServerPolicy { ApplicationProtocols = [SslApplicationProtocol.Http11] }, verification);

    /// <summary>A plain web server with a certificate for DNS names, no client certificate.</summary>
    public static Func<PeerVerification, SslServerAuthenticationOptions> WebServer(SslStreamCertificateContext certificate)
        => _ => new SslServerAuthenticationOptions { ServerCertificateContext = certificate, ApplicationProtocols = [SslApplicationProtocol.Http11] };

    private static TlsBackend Start(string name, Socket listener, IPEndPoint bindTo, Func<PeerVerification, SslServerAuthenticationOptions> options)
    {
        var backend = new TlsBackend(name, listener, bindTo, options);
        backend.StartAccepting();
        return backend;
    }

    protected override async Task HandleAsync(Socket connection, CancellationToken cancellationToken)
    {
        var peer = Normalize(connection.RemoteEndPoint);
        var verification = new PeerVerification();
        await using var tls = new SslStream(new NetworkStream(connection, ownsSocket: false));
        try
        {
            await tls.AuthenticateAsServerAsync(_options(verification), cancellationToken);
        }
        catch (AuthenticationException ex)
        {
            Record(new TlsBackendSession(_name, peer, tls.TargetHostName, null, "", ex.Message));
            return;
        }
        var client = verification.PeerId?.ToString();
        Record(new TlsBackendSession(_name, peer, tls.TargetHostName, client, tls.NegotiatedApplicationProtocol.ToString(), null));

        var buffer = new byte[64 * 1024];
        var first = true;
        int read;
        while ((read = await tls.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (first && buffer.AsSpan(0, read).StartsWith("GET "u8))
            {
                var body = $"hello from {_name} sni={tls.TargetHostName} peer={client ?? "none"}\n";
                await tls.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}"), cancellationToken);
                break;
            }
            first = false;
            await tls.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
        await tls.ShutdownAsync();
        connection.Shutdown(SocketShutdown.Send);
    }
}

using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests.Security;

/// <summary>
/// One mesh hop, started for a test: an HTTP backend and a TCP echo server behind a server sidecar (STRICT, or the
/// given mode and policies), and a client sidecar that calls it over mTLS.
/// </summary>
internal sealed class MeshHop : IAsyncDisposable
{
    private MeshHop(TestBackend backend, TcpEchoServer echo, ProxyTestHost server, ProxyTestHost client)
    {
        Backend = backend;
        Echo = echo;
        Server = server;
        Client = client;
    }

    public TestBackend Backend { get; }

    public TcpEchoServer Echo { get; }

    public ProxyTestHost Server { get; }

    public ProxyTestHost Client { get; }

    /// <param name="expectedServerId">The SPIFFE ID the client requires of the server; default the server's own.</param>
    /// <param name="talkFirstTcp">The TCP app talks first and half-closes (<see cref="TcpEchoServer.StartTalkFirst"/>) instead of echoing.</param>
    public static async Task<MeshHop> StartAsync(MeshCertificates certificates, string mode = "strict", string authorization = "", string? expectedServerId = null,
        bool talkFirstTcp = false)
    {
        var backend = await TestBackend.StartAsync();
        var echo = talkFirstTcp ? TcpEchoServer.StartTalkFirst() : TcpEchoServer.StartEcho();
        var server = await ProxyTestHost.StartAsync(SidecarYaml.Server(certificates.Server, backend.Http1Address, echo.Address, mode, authorization));
        var client = await ProxyTestHost.StartAsync(SidecarYaml.Client(certificates.Client, server.Listener("inbound"), expectedServerId ?? certificates.ServerId));
        return new MeshHop(backend, echo, server, client);
    }

    /// <summary>Both sidecars' logs, for assertion messages.</summary>
    public string Logs => "client:\n" + string.Join('\n', Client.Logs.Lines) + "\nserver:\n" + string.Join('\n', Server.Logs.Lines);

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
        await Echo.DisposeAsync();
        await Backend.DisposeAsync();
    }
}

using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>POST /quitquitquit drains: readiness fails, new connections are refused, in-flight work finishes, the host exits.</summary>
public sealed class DrainTests
{
    private const string DrainAfterOneSecond = """
        admin:
          address: 127.0.0.1:0
          readinessAddress:
          metricsAddress:
          drainTimeout: 1s

        """;

    [Fact]
    public async Task QuitQuitQuit_InFlightRequestCompletes_NewConnectionsRefused_HostExits()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var proxy = await ProxyTestHost.StartAsync("admin:\n  address: 127.0.0.1:0\n  readinessAddress: 127.0.0.1:0\n  metricsAddress:\n  drainTimeout: 5s\n"
            + ProxyYaml.SingleRoute(backend.Http1Address));
        var listener = proxy.Listener("web");
        using var client = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(proxy.AdminUri("/ready"))).StatusCode);

        var inFlight = client.GetAsync(proxy.ListenerUri("web", "/delay/1500"));
        await Task.Delay(300);
        using var quit = await client.PostAsync(proxy.AdminUri("/quitquitquit"), null);
        Assert.Equal(HttpStatusCode.OK, quit.StatusCode);

        // While draining, readiness reports it (the admin server stays up until the drain ends).
        using (var ready = await client.GetAsync(proxy.AdminUri("/ready")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Equal("DRAINING\n", await ready.Content.ReadAsStringAsync());
        }
        Assert.True(await BecomesRefusedAsync(listener, TimeSpan.FromSeconds(5)), "the listener still accepts connections while draining");

        using var response = await inFlight.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("delayed\n", await response.Content.ReadAsStringAsync());
        await proxy.Host.WaitForShutdownAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Drain_OpenTcpConnectionOutlivingTimeout_ClosedAtDrainTimeout()
    {
        await using var server = TcpEchoServer.StartEcho();
        await using var proxy = await ProxyTestHost.StartAsync(DrainAfterOneSecond + $$"""
            listeners:
              - name: tcp
                address: 127.0.0.1:0
                protocol: tcp
                tcp: { cluster: echo }
            clusters:
              - name: echo
                endpoints: [ { address: {{server.Address}} } ]
            """);
        using var client = new TcpClient();
        await client.ConnectAsync(proxy.Listener("tcp"));
        await client.Client.SendAsync("ping"u8.ToArray());
        var buffer = new byte[16];
        Assert.Equal(4, await client.Client.ReceiveAsync(buffer));

        var started = TimeProvider.System.GetTimestamp();
        await proxy.Host.StopAsync().WaitAsync(TimeSpan.FromSeconds(15));
        var elapsed = TimeProvider.System.GetElapsedTime(started);

        // The idle relay was given the drain timeout, then closed.
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(8));
        var read = await ReceiveOrResetAsync(client.Client, buffer).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, read);
    }

    [Fact]
    public async Task Drain_OpenPassthroughConnectionOnATlsListener_WorksUntilTheDrainTimeout_ThenClosed()
    {
        using var pki = new TwoClusterPki();
        await using var backend = TlsBackend.StartOnLoopback("shop", TlsBackend.WebServer(TwoClusterPki.ServerCertificate(pki.Cluster2, "*.shop.example")));
        await using var proxy = await ProxyTestHost.StartAsync(DrainAfterOneSecond + ProxyYaml.ShopPassthrough(backend.LocalEndPoint));
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(proxy.Listener("eastwest"));
        await using var tls = new SslStream(new NetworkStream(socket), leaveInnerStreamOpen: false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync("www.shop.example");
        var buffer = new byte[16];

        var stopping = proxy.Host.StopAsync();
        var started = TimeProvider.System.GetTimestamp();
        // Draining: the passthrough connection still works (the backend echoes), new connections are refused.
        await tls.WriteAsync("ping"u8.ToArray());
        Assert.Equal(4, await tls.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(await BecomesRefusedAsync(proxy.Listener("eastwest"), TimeSpan.FromSeconds(5)), "the tls listener still accepts connections while draining");
        await stopping.WaitAsync(TimeSpan.FromSeconds(15));
        var elapsed = TimeProvider.System.GetElapsedTime(started);

        // The open connection was given the drain timeout, then closed.
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(700), TimeSpan.FromSeconds(8));
        Assert.Equal(0, await ReadOrResetAsync(tls, buffer).WaitAsync(TimeSpan.FromSeconds(5)));
    }

    /// <summary>Whether connecting is refused within the time limit (the drain stops the listener promptly, not instantly).</summary>
    private static async Task<bool> BecomesRefusedAsync(IPEndPoint address, TimeSpan within)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)(within.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (TimeProvider.System.GetTimestamp() < deadline)
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(address);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
            {
                // A reset means the attempt was caught in the backlog as the listener closed: not accepted either.
                return true;
            }
            await Task.Delay(25);
        }
        return false;
    }

    private static async Task<int> ReadOrResetAsync(Stream stream, byte[] buffer)
    {
        try
        {
            return await stream.ReadAsync(buffer);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static async Task<int> ReceiveOrResetAsync(Socket socket, byte[] buffer)
    {
        try
        {
            return await socket.ReceiveAsync(buffer);
        }
        catch (SocketException)
        {
            return 0;
        }
    }
}

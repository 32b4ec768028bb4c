using System.Net.Sockets;
using System.Text;
using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>Opaque TCP through the proxy: bytes intact, half-close in both directions.</summary>
public sealed class TcpRelayTests
{
    private static string TcpListenerYaml(System.Net.IPEndPoint upstream, string protocol) => $$"""
        listeners:
          - name: tcp
            address: 127.0.0.1:0
            protocol: {{protocol}}
            tcp: { cluster: echo }
        clusters:
          - name: echo
            endpoints:
              - address: {{upstream}}
        """;

    [Theory]
    [InlineData("tcp")]
    [InlineData("auto")]
    public async Task Echo_ClientHalfCloses_ServerStillAnswersAfterFin(string protocol)
    {
        await using var server = TcpEchoServer.StartEcho();
        await using var proxy = await ProxyTestHost.StartAsync(TcpListenerYaml(server.Address, protocol));
        using var client = new TcpClient();
        await client.ConnectAsync(proxy.Listener("tcp"));
        var socket = client.Client;
        var payload = new byte[3 * 1024 * 1024];
        new Random(11).NextBytes(payload);
        payload[0] = 0x01; // not a protocol the sniffer knows: opaque TCP

        var reading = ReadToEndAsync(socket);
        await socket.SendAsync(payload);
        socket.Shutdown(SocketShutdown.Send);
        var received = await reading.WaitAsync(TimeSpan.FromSeconds(20));

        // The echo, then "END": the server saw our FIN through the proxy and could still send to us afterwards.
        Assert.True(payload.Length + 3 == received.Length, $"received {received.Length}; proxy log:\n{string.Join('\n', proxy.Logs.Lines)}");
        Assert.True(received.AsSpan(0, payload.Length).SequenceEqual(payload));
        Assert.Equal("END", Encoding.ASCII.GetString(received, payload.Length, 3));
    }

    [Theory]
    [InlineData("tcp")]
    [InlineData("auto")]
    public async Task ClientHalfClosesRightAfterSending_ConnectStillHappensAndEchoArrives(string protocol)
    {
        // With "auto" the FIN may arrive while the first bytes are being sniffed; they must still be relayed.
        await using var server = TcpEchoServer.StartEcho();
        await using var proxy = await ProxyTestHost.StartAsync(TcpListenerYaml(server.Address, protocol));
        using var client = new TcpClient();
        await client.ConnectAsync(proxy.Listener("tcp"));

        // The FIN may reach the proxy before its upstream connection is up.
        await client.Client.SendAsync("request"u8.ToArray());
        client.Client.Shutdown(SocketShutdown.Send);
        var received = await ReadToEndAsync(client.Client).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal("requestEND", Encoding.ASCII.GetString(received));
        await proxy.Logs.WaitForAsync(MeshProxy.Telemetry.EventIds.TcpRelayEnded, TimeSpan.FromSeconds(10));
        Assert.Contains("Completed, 7 bytes sent, 10 bytes received", proxy.Logs.WithEventId(MeshProxy.Telemetry.EventIds.TcpRelayEnded).Single().Message);
    }

    [Fact]
    public async Task DetectionTimeoutWithPartialBytes_RelaysThemAtOnce_WithoutWaitingForMore()
    {
        await using var server = TcpEchoServer.StartEcho();
        await using var proxy = await ProxyTestHost.StartAsync(TcpListenerYaml(server.Address, "auto").Replace(
            "    tcp: { cluster: echo }", "    tcp: { cluster: echo }\n    detectionTimeout: 300ms\n    onDetectionTimeout: tcp", StringComparison.Ordinal));
        using var client = new TcpClient();
        await client.ConnectAsync(proxy.Listener("tcp"));

        // "GET" may still become an HTTP request line: the sniffer waits for more, times out, and relays it as TCP
        // while the client waits for an answer.
        await client.Client.SendAsync("GET"u8.ToArray());
        var echoed = new byte[3];
        var read = await client.Client.ReceiveAsync(echoed).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal("GET", Encoding.ASCII.GetString(echoed, 0, read));
    }

    [Fact]
    public async Task TalkFirst_ServerHalfCloses_ClientCanStillSend()
    {
        await using var server = TcpEchoServer.StartTalkFirst();
        await using var proxy = await ProxyTestHost.StartAsync(TcpListenerYaml(server.Address, "tcp"));
        using var client = new TcpClient();
        await client.ConnectAsync(proxy.Listener("tcp"));
        var socket = client.Client;

        // The server's FIN must reach us as end of stream while our own direction stays open.
        var greeting = await ReadToEndAsync(socket).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("HELLO", Encoding.ASCII.GetString(greeting));
        await socket.SendAsync("still here"u8.ToArray());
        socket.Shutdown(SocketShutdown.Send);

        var seenByServer = await server.ReceivedAfterHalfClose.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True("still here" == Encoding.ASCII.GetString(seenByServer), $"server got '{Encoding.ASCII.GetString(seenByServer)}' from peers {string.Join(",", server.Peers)}; client local {socket.LocalEndPoint}; proxy log:\n{string.Join('\n', proxy.Logs.Lines)}");
    }

    [Fact]
    public async Task Relay_IdleConnection_ClosedAfterIdleTimeout()
    {
        await using var server = TcpEchoServer.StartEcho();
        await using var proxy = await ProxyTestHost.StartAsync(TcpListenerYaml(server.Address, "tcp").Replace(
            "tcp: { cluster: echo }", "tcp: { cluster: echo, idleTimeout: 300ms }", StringComparison.Ordinal));
        using var client = new TcpClient();
        await client.ConnectAsync(proxy.Listener("tcp"));
        await client.Client.SendAsync("ping"u8.ToArray());

        var received = await ReadToEndAsync(client.Client).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("ping", Encoding.ASCII.GetString(received));
    }

    private static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        using var all = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int read;
        try
        {
            while ((read = await socket.ReceiveAsync(buffer)) > 0)
            {
                all.Write(buffer, 0, read);
            }
        }
        catch (SocketException)
        {
            // A reset ends the stream as well; the assertions decide whether that was expected.
        }
        return all.ToArray();
    }
}

using System.Net.WebSockets;
using System.Text;
using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>WebSocket (HTTP/1.1 Upgrade) through the proxy.</summary>
public sealed class WebSocketTests
{
    [Fact]
    public async Task WebSocket_EchoesMessagesBothWays()
    {
        await using var backend = await TestBackend.StartAsync();
        // A short route timeout proves an upgraded connection is not cut by it.
        await using var proxy = await ProxyTestHost.StartAsync(ProxyYaml.SingleRoute(backend.Http1Address).Replace(
            "cluster: backend\n", "cluster: backend\n            timeout: 1s\n", StringComparison.Ordinal));
        using var client = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        await client.ConnectAsync(new Uri($"ws://{proxy.Listener("web")}/ws"), timeout.Token);
        var buffer = new byte[1024];
        for (var i = 0; i < 3; i++)
        {
            var message = Encoding.UTF8.GetBytes($"message {i}");
            await client.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            var received = await client.ReceiveAsync(buffer, timeout.Token);
            Assert.Equal($"message {i}", Encoding.UTF8.GetString(buffer, 0, received.Count));
            await Task.Delay(TimeSpan.FromMilliseconds(600), timeout.Token);
        }
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);

        Assert.Equal(WebSocketState.Closed, client.State);
        Assert.Equal("bye", client.CloseStatusDescription);
    }
}

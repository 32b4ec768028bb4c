using System.Net.Sockets;
using System.Text.Json;
using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>The access log: one JSON line per request or connection, with Envoy's fields and response flags.</summary>
public sealed class AccessLogTests
{
    [Fact]
    public async Task JsonLines_CarryFlagsForOkNoRouteNoHealthyAndTimeout()
    {
        await using var backend = await TestBackend.StartAsync();
        var logFile = Path.Combine(Directory.CreateTempSubdirectory("meshproxy-accesslog-").FullName, "access.log");
        await using var proxy = await ProxyTestHost.StartAsync($$"""
            listeners:
              - name: web
                address: 127.0.0.1:0
                http: { routeTable: main }
            routeTables:
              - name: main
                virtualHosts:
                  - name: app
                    domains: ["*"]
                    routes:
                      - { name: ok, match: { prefix: /echo }, cluster: backend }
                      - { name: slow, match: { prefix: /delay }, cluster: backend, timeout: 200ms }
                      - { name: empty, match: { prefix: /empty }, cluster: empty }
            clusters:
              - name: backend
                endpoints: [ { address: {{backend.Http1Address}} } ]
              - name: empty
                endpoints: []
            telemetry:
              accessLog: { enabled: true, path: {{logFile}}, format: json }
            """);

        await Curl.RunAsync("-H", "x-request-id: id-ok", "-A", "curl-test", "-H", "Host: shop", proxy.ListenerUri("web", "/echo?x=1").ToString());
        await Curl.RunAsync("-H", "x-request-id: id-nr", proxy.ListenerUri("web", "/nothing").ToString());
        await Curl.RunAsync("-H", "x-request-id: id-uh", proxy.ListenerUri("web", "/empty").ToString());
        await Curl.RunAsync("-H", "x-request-id: id-ut", proxy.ListenerUri("web", "/delay/3000").ToString());

        var lines = await ReadLinesAsync(logFile, expected: 4);
        var ok = lines["id-ok"];
        Assert.Equal(200, ok.GetProperty("response_code").GetInt32());
        Assert.Equal("-", ok.GetProperty("response_flags").GetString());
        Assert.Equal("GET", ok.GetProperty("method").GetString());
        Assert.Equal("/echo?x=1", ok.GetProperty("path").GetString());
        Assert.Equal("HTTP/1.1", ok.GetProperty("protocol").GetString());
        Assert.Equal("shop", ok.GetProperty("authority").GetString());
        Assert.Equal("curl-test", ok.GetProperty("user_agent").GetString());
        Assert.Equal(backend.Http1Address.ToString(), ok.GetProperty("upstream_host").GetString());
        Assert.Equal("backend", ok.GetProperty("upstream_cluster").GetString());
        Assert.Equal("ok", ok.GetProperty("route_name").GetString());
        Assert.True(ok.GetProperty("bytes_sent").GetInt64() > 0);
        Assert.True(ok.GetProperty("duration").GetDouble() >= ok.GetProperty("upstream_service_time").GetDouble());
        Assert.True(DateTimeOffset.TryParse(ok.GetProperty("start_time").GetString(), out _));
        Assert.Equal(JsonValueKind.Null, ok.GetProperty("downstream_peer_principal").ValueKind);

        Assert.Equal((404, "NR"), Outcome(lines["id-nr"]));
        Assert.Equal((503, "UH"), Outcome(lines["id-uh"]));
        Assert.Equal((504, "UT"), Outcome(lines["id-ut"]));
        Assert.Equal("empty", lines["id-uh"].GetProperty("upstream_cluster").GetString());
    }

    [Fact]
    public async Task TcpConnection_OneLineWithBytesBothWays()
    {
        await using var server = TcpEchoServer.StartEcho();
        var logFile = Path.Combine(Directory.CreateTempSubdirectory("meshproxy-accesslog-").FullName, "access.log");
        await using var proxy = await ProxyTestHost.StartAsync($$"""
            listeners:
              - { name: tcp, address: 127.0.0.1:0, protocol: tcp, tcp: { cluster: echo } }
            clusters:
              - { name: echo, endpoints: [ { address: {{server.Address}} } ] }
            telemetry:
              accessLog: { enabled: true, path: {{logFile}} }
            """);
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(proxy.Listener("tcp"));
            await client.Client.SendAsync("hello"u8.ToArray());
            client.Client.Shutdown(SocketShutdown.Send);
            var buffer = new byte[64];
            while (await client.Client.ReceiveAsync(buffer) > 0)
            {
            }
        }

        var line = await WaitForLineAsync(logFile);
        Assert.Equal("TCP", line.GetProperty("protocol").GetString());
        Assert.Equal(5, line.GetProperty("bytes_received").GetInt64());
        Assert.Equal(8, line.GetProperty("bytes_sent").GetInt64()); // "hello" echoed, then "END"
        Assert.Equal("echo", line.GetProperty("upstream_cluster").GetString());
    }

    private static (int, string) Outcome(JsonElement line) => (line.GetProperty("response_code").GetInt32(), line.GetProperty("response_flags").GetString()!);

    private static async Task<Dictionary<string, JsonElement>> ReadLinesAsync(string path, int expected)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var lines = File.Exists(path) ? await File.ReadAllLinesAsync(path) : [];
            if (lines.Length >= expected)
            {
                return lines.Select(l => JsonDocument.Parse(l).RootElement).ToDictionary(e => e.GetProperty("request_id").GetString()!);
            }
            await Task.Delay(50, deadline.Token);
        }
    }

    private static async Task<JsonElement> WaitForLineAsync(string path)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            if (File.Exists(path) && (await File.ReadAllLinesAsync(path)) is [var first, ..])
            {
                return JsonDocument.Parse(first).RootElement;
            }
            await Task.Delay(50, deadline.Token);
        }
    }
}

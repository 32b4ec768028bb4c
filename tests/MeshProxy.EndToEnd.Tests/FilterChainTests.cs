using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>Filter chains pick a connection's handling by its destination; routes can answer directly.</summary>
public sealed class FilterChainTests
{
    private static string Config(TestBackend a, TestBackend b, string chainAddresses) => $$"""
        listeners:
          - name: web
            address: 127.0.0.1:0
            filterChains:
              - name: chain-a
                match: { destinationAddresses: [{{chainAddresses}}] }
                http: { routeTable: to-a }
            http: { routeTable: to-b }
        routeTables:
          - name: to-a
            virtualHosts: [ { name: a, domains: ["*"], routes: [ { match: { prefix: /teapot }, directResponse: { status: 418, body: "short and stout" } }, { cluster: a } ] } ]
          - name: to-b
            virtualHosts: [ { name: b, domains: ["*"], routes: [ { cluster: b } ] } ]
        clusters:
          - name: a
            endpoints: [ { address: {{a.Http1Address}} } ]
          - name: b
            endpoints: [ { address: {{b.Http1Address}} } ]
        """;

    [Theory]
    [InlineData("127.0.0.0/8", "a")]
    [InlineData("10.0.0.0/8", "b")]
    public async Task Destination_SelectsFilterChainOrDefault(string chainAddresses, string expectedBackend)
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var proxy = await ProxyTestHost.StartAsync(Config(a, b, chainAddresses));

        var result = await Curl.RunAsync("-o", "/dev/null", "-w", "%header{x-backend}", proxy.ListenerUri("web", "/echo").ToString());

        Assert.Equal(expectedBackend, result.StandardOutput.Trim());
    }

    [Fact]
    public async Task DirectResponse_AnswersWithoutUpstream()
    {
        await using var a = await TestBackend.StartAsync("a");
        await using var b = await TestBackend.StartAsync("b");
        await using var proxy = await ProxyTestHost.StartAsync(Config(a, b, "127.0.0.1"));

        var result = await Curl.RunAsync("-w", "\n%{http_code}", proxy.ListenerUri("web", "/teapot").ToString());

        Assert.Equal("short and stout\n418", result.StandardOutput.Trim());
        Assert.Empty(a.Requests);
    }
}

using System.Text.RegularExpressions;
using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>`meshproxy gateway` on the real binary: its help, a bad config, a config file that routes by SNI, and its event-loop I/O.</summary>
public sealed partial class GatewayCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Help_DescribesTheVerbAndItsDefault()
    {
        var result = await ProcessRunner.RunAsync("dotnet", [RepositoryPaths.MeshProxyDll, "gateway", "--help"], Timeout);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("east-west gateway (SNI router)", result.StandardOutput);
        Assert.Contains("[::]:15443", result.StandardOutput);
        Assert.Contains("--config", result.StandardOutput);
    }

    [Fact]
    public async Task InvalidConfig_PrintsTheErrorWithItsPathAndExits1()
    {
        var path = await WriteConfigAsync("""
            listeners:
              - name: eastwest
                address: 127.0.0.1:0
                filterChains:
                  - name: shop
                    match: { serverNames: ["*.shop.example"] }
                    tcp: { cluster: shop }
            clusters: [ { name: shop } ]
            """);

        var result = await ProcessRunner.RunAsync("dotnet", [RepositoryPaths.MeshProxyDll, "gateway", "--config", path], Timeout);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{path}:6:16: listeners[0].filterChains[0].match: serverNames and applicationProtocols are matched on tls listeners only", result.StandardError);
    }

    [Fact]
    public async Task ConfigFile_PassesTlsThroughByServerName()
    {
        using var pki = new TwoClusterPki();
        await using var backend = TlsBackend.StartOnLoopback("shop", TlsBackend.WebServer(TwoClusterPki.ServerCertificate(pki.Cluster2, "*.shop.example")));
        var path = await WriteConfigAsync("admin: { address: 127.0.0.1:0, readinessAddress: 127.0.0.1:0, metricsAddress: 127.0.0.1:0 }\n"
            + ProxyYaml.ShopPassthrough(backend.LocalEndPoint));
        await using var gateway = ProcessRunner.Start("dotnet", [RepositoryPaths.MeshProxyDll, "gateway", "--config", path]);
        await gateway.WaitForOutputAsync("Config version 1 applied", Timeout);
        var address = ListeningOn().Match(gateway.Output).Groups[1].Value;

        var result = await Curl.RunAsync("--cacert", pki.RootPem, "--connect-to", $"::{address}", "https://www.shop.example/");

        Assert.True(result.ExitCode == 0, $"{result}\ngateway:\n{gateway.Output}");
        Assert.Equal("hello from shop sni=www.shop.example peer=none\n", result.StandardOutput);
    }

    /// <summary>
    /// The gateway runs socket work on the polling threads (IoScheduling.EventLoop), which .NET shows as one ".NET Sockets"
    /// thread per core instead of one per 30 cores; the sidecar keeps .NET's default, and so does a gateway whose operator
    /// set DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS. (On a one-core machine both counts are 1.)
    /// </summary>
    [Theory]
    [InlineData("gateway", null, true)]
    [InlineData("gateway", "0", false)]
    [InlineData("run", null, false)]
    public async Task SocketEventThreads_OnePerCoreForTheGateway_UnlessTheOperatorSetsOtherwise(string verb, string? inlineCompletions, bool eventLoop)
    {
        var path = await WriteConfigAsync("""
            admin: { address: 127.0.0.1:0, readinessAddress: , metricsAddress: }
            listeners: []
            """);
        var environment = inlineCompletions is null ? null : new Dictionary<string, string> { ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = inlineCompletions };
        await using var proxy = ProcessRunner.Start("dotnet", [RepositoryPaths.MeshProxyDll, verb, "--config", path], environment);
        await proxy.WaitForOutputAsync("Config version 1 applied", Timeout);

        var expected = eventLoop ? Environment.ProcessorCount : Math.Max(1, (int)Math.Round(Environment.ProcessorCount / 30.0));
        // The threads name themselves once running: give them a moment.
        var socketThreads = 0;
        for (var attempt = 0; attempt < 50 && socketThreads != expected; attempt++)
        {
            await Task.Delay(100);
            socketThreads = SocketEventThreads(proxy.Process.Id);
        }

        Assert.True(expected == socketThreads, $"{verb}: {socketThreads} socket event threads, expected {expected}\n{proxy.Output}");
    }

    private static int SocketEventThreads(int processId) => Directory.GetDirectories($"/proc/{processId}/task")
        .Count(task => File.Exists(Path.Combine(task, "comm")) && File.ReadAllText(Path.Combine(task, "comm")).Trim() == ".NET Sockets");

    private static async Task<string> WriteConfigAsync(string yaml)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("meshproxy-gateway-").FullName, "gateway.yaml");
        await File.WriteAllTextAsync(path, yaml);
        return path;
    }

    [GeneratedRegex(@"Listener eastwest is listening on (\S+)")]
    private static partial Regex ListeningOn();
}

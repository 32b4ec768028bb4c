using System.Text.RegularExpressions;
using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>`meshproxy gateway` on the real binary: its help, a bad config, and a config file that routes by SNI.</summary>
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

    private static async Task<string> WriteConfigAsync(string yaml)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("meshproxy-gateway-").FullName, "gateway.yaml");
        await File.WriteAllTextAsync(path, yaml);
        return path;
    }

    [GeneratedRegex(@"Listener eastwest is listening on (\S+)")]
    private static partial Regex ListeningOn();
}

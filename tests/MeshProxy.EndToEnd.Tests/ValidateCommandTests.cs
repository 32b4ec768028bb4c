using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>`meshproxy validate` on the real binary: every error with file, line, YAML path and reason.</summary>
public sealed class ValidateCommandTests
{
    [Fact]
    public async Task Validate_FileWithSeveralErrors_PrintsEachWithLocationAndExits1()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("meshproxy-validate-").FullName, "bad.yaml");
        await File.WriteAllTextAsync(path, """
            listeners:
              - name: web
                address: 127.0.0.1:8080
                http: { routeTable: main }
                protocl: http
            routeTables:
              - name: main
                virtualHosts:
                  - name: app
                    domains: ["*"]
                    routes:
                      - match: { prefix: api }
                        cluster: nowhere
            clusters:
              - name: backend
                connectTimeout: 5 seconds
                endpoints:
                  - address: 10.0.0.1
            """);

        var result = await ProcessRunner.RunAsync("dotnet", [RepositoryPaths.MeshProxyDll, "validate", "--config", path], TimeSpan.FromSeconds(30));

        Assert.Equal(1, result.ExitCode);
        var errors = result.StandardError;
        Assert.Contains($"{path}:5:5: listeners[0].protocl: unknown key 'protocl'; did you mean 'protocol'?", errors);
        Assert.Contains($"{path}:16:21: clusters[0].connectTimeout: '5 seconds' is not a duration; write for example 250ms, 5s, 1m30s or 1h", errors);
        Assert.Contains($"{path}:18:18: clusters[0].endpoints[0].address: '10.0.0.1' is not an address; write ip:port", errors);
        Assert.Contains($"{path}:12:30: routeTables[0].virtualHosts[0].routes[0].match.prefix: 'api' must start with '/'", errors);
        Assert.Contains($"{path}:13:22: routeTables[0].virtualHosts[0].routes[0].cluster: no cluster is named 'nowhere'", errors);
        Assert.Contains("5 errors; the config was not applied.", errors);
    }

    [Fact]
    public async Task Validate_GoodFile_Exits0()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("meshproxy-validate-").FullName, "good.yaml");
        await File.WriteAllTextAsync(path, ProxyYaml.SingleRoute(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 9000)));

        var result = await ProcessRunner.RunAsync("dotnet", [RepositoryPaths.MeshProxyDll, "validate", "--config", path], TimeSpan.FromSeconds(30));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("valid (1 listeners, 1 route tables, 1 clusters)", result.StandardOutput);
    }

    [Fact]
    public async Task Validate_Help_DescribesTheVerb()
    {
        var result = await ProcessRunner.RunAsync("dotnet", [RepositoryPaths.MeshProxyDll, "validate", "--help"], TimeSpan.FromSeconds(30));

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--config", result.StandardOutput);
        Assert.Contains("Exits 0 when valid, 1 otherwise", result.StandardOutput);
    }
}

using BenchmarkDotNet.Attributes;
using MeshProxy.Configuration;
using MeshProxy.Routing;
using Microsoft.AspNetCore.Http;

namespace MeshProxy.Benchmarks.Routing;

/// <summary>
/// Virtual-host lookup and route matching, the per-request routing cost, over a table shaped like a mesh's
/// outbound route table: 100 virtual hosts (80 services with a short name, a port form and an FQDN; 10 suffix
/// wildcards; 9 prefix wildcards; one catch-all), each with a few routes, some matching on headers.
/// </summary>
[MemoryDiagnoser]
public class RouteTableBenchmarks
{
    private RouteTable _table = null!;
    private VirtualHost _headerHost = null!;
    private IHeaderDictionary _canaryHeaders = null!;
    private IHeaderDictionary _plainHeaders = null!;

    [GlobalSetup]
    public void Setup()
    {
        _table = new RouteTable(MeshRouteTable.Create());
        _headerHost = _table.FindVirtualHost("svc-42.shop.svc.cluster.local") ?? throw new InvalidOperationException("no virtual host");
        _canaryHeaders = new HeaderDictionary
        {
            ["host"] = "svc-42",
            ["user-agent"] = "wrk",
            ["accept"] = "*/*",
            ["x-canary"] = "always",
            ["x-user-tier"] = "gold",
        };
        _plainHeaders = new HeaderDictionary
        {
            ["host"] = "svc-42",
            ["user-agent"] = "wrk",
            ["accept"] = "*/*",
        };
    }

    [Benchmark(Baseline = true)]
    public VirtualHost? ExactHost() => _table.FindVirtualHost("svc-42.shop.svc.cluster.local");

    [Benchmark]
    public VirtualHost? ExactHostWithPort() => _table.FindVirtualHost("svc-42:8080");

    [Benchmark]
    public VirtualHost? ExactHostPortStripped() => _table.FindVirtualHost("svc-42.shop.svc.cluster.local:80");

    [Benchmark]
    public VirtualHost? SuffixWildcard() => _table.FindVirtualHost("payments.zone-7.example.com");

    [Benchmark]
    public VirtualHost? PrefixWildcard() => _table.FindVirtualHost("api-3.internal");

    [Benchmark]
    public VirtualHost? CatchAll() => _table.FindVirtualHost("unknown.host.test:9000");

    /// <summary>The fourth route of the host matches: three path misses, then a prefix with two header conditions.</summary>
    [Benchmark]
    public Route? RouteWithHeaders() => _headerHost.FindRoute("/api/v2/orders/17", _canaryHeaders);

    /// <summary>The header conditions fail, so matching falls through to the last, catch-all route.</summary>
    [Benchmark]
    public Route? RouteHeadersMissFallThrough() => _headerHost.FindRoute("/api/v2/orders/17", _plainHeaders);

    [Benchmark]
    public Route? HostAndRoute() => _table.FindVirtualHost("svc-42:8080")?.FindRoute("/api/v2/orders/17", _canaryHeaders);
}

/// <summary>The benchmark route table: about 100 virtual hosts as a mesh control plane generates them.</summary>
internal static class MeshRouteTable
{
    public static RouteTableConfig Create()
    {
        var hosts = new List<VirtualHostConfig>();
        for (var i = 0; i < 80; i++)
        {
            hosts.Add(new VirtualHostConfig
            {
                Name = $"svc-{i}",
                Domains = new[] { $"svc-{i}", $"svc-{i}:8080", $"svc-{i}.shop.svc.cluster.local" },
                Routes = ServiceRoutes($"svc-{i}"),
            });
        }
        for (var i = 0; i < 10; i++)
        {
            hosts.Add(new VirtualHostConfig { Name = $"zone-{i}", Domains = new[] { $"*.zone-{i}.example.com" }, Routes = CatchAllRoute($"zone-{i}") });
        }
        for (var i = 0; i < 9; i++)
        {
            hosts.Add(new VirtualHostConfig { Name = $"api-{i}", Domains = new[] { $"api-{i}.*" }, Routes = CatchAllRoute($"api-{i}") });
        }
        hosts.Add(new VirtualHostConfig { Name = "allow_any", Domains = new[] { "*" }, Routes = CatchAllRoute("PassthroughCluster") });
        return new RouteTableConfig { Name = "outbound", VirtualHosts = hosts.ToArray() };
    }

    private static RouteConfig[] ServiceRoutes(string cluster) =>
    [
        new() { Name = "health", Match = new RouteMatchConfig { Path = "/healthz" }, Cluster = cluster },
        new() { Name = "v1", Match = new RouteMatchConfig { Prefix = "/api/v1/" }, Cluster = cluster },
        new() { Name = "admin", Match = new RouteMatchConfig { Prefix = "/admin", CaseSensitive = false }, Cluster = cluster },
        new()
        {
            Name = "canary",
            Match = new RouteMatchConfig
            {
                Prefix = "/api/",
                Headers = new[]
                {
                    new HeaderMatchConfig { Name = "x-canary", Exact = "always" },
                    new HeaderMatchConfig { Name = "x-user-tier", Prefix = "gold" },
                },
            },
            WeightedClusters = new[]
            {
                new WeightedClusterConfig { Cluster = cluster + "-v2", Weight = 90 },
                new WeightedClusterConfig { Cluster = cluster + "-v3", Weight = 10 },
            },
        },
        new() { Name = "default", Match = new RouteMatchConfig { Prefix = "/" }, Cluster = cluster },
    ];

    private static RouteConfig[] CatchAllRoute(string cluster) => [new() { Match = new RouteMatchConfig { Prefix = "/" }, Cluster = cluster }];
}

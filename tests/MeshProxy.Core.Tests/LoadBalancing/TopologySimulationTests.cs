using System.Text;
using System.Text.Json;
using MeshProxy.LoadBalancing;
using MeshProxy.TestSupport;
using Xunit;

namespace MeshProxy.Tests.LoadBalancing;

/// <summary>meshproxy simulate: the in-process core on sample topologies, and the built binary end to end.</summary>
public sealed class TopologySimulationTests
{
    [Fact] // examples/topologies/priority-failover.yaml: Envoy's code gives 8/92 where the docs say 7/93.
    public void Run_PriorityFailoverExample_Gives8And92WithP0InPanic()
    {
        var reports = Simulate(File.ReadAllText(RepositoryPaths.Combine("examples", "topologies", "priority-failover.yaml")));

        var report = Assert.Single(reports).Report;
        Assert.Equal(0.08, report.Priorities[0].Share, 10);
        Assert.Equal(0.92, report.Priorities[1].Share, 10);
        Assert.True(report.Priorities[0].Panic);
        Assert.False(report.Priorities[1].Panic);
        Assert.Equal(98, report.NormalizedTotalAvailability);
        Assert.All(report.Priorities[0].Localities[0].Endpoints, e => Assert.Equal(0.0008, e.Share, 12));
    }

    [Fact]
    public void Run_ZoneAwareExample_KeepsTwoThirdsLocal()
    {
        var report = Simulate(File.ReadAllText(RepositoryPaths.Combine("examples", "topologies", "zone-aware.yaml")))[0].Report;

        Assert.Equal([0.6666, 0.0, 0.3334], report.Priorities[0].Localities.Select(l => Math.Round(l.Share, 10)));
    }

    [Fact] // Shares of every example add up to 1 with what finds no host.
    public void Run_EveryExample_SharesAddUpToOne()
    {
        foreach (var file in Directory.GetFiles(RepositoryPaths.Combine("examples", "topologies"), "*.yaml"))
        {
            foreach (var (_, report) in Simulate(File.ReadAllText(file)))
            {
                Assert.Equal(1.0, report.Priorities.Sum(p => p.Share) + report.Unrouted, 10);
            }
        }
    }

    [Fact]
    public void WriteJson_Report_HasTheDocumentedShape()
    {
        var reports = Simulate("""
            clusters:
              - name: web
                loadBalancer: {panicThreshold: 0}
                endpoints:
                  - {address: 10.1.0.1:80, weight: 3}
                  - {address: 10.1.0.2:80}
                  - {address: 10.1.0.3:80, health: degraded}
            """);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            TrafficReportWriter.WriteJson(json, reports);
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        var cluster = document.RootElement.GetProperty("clusters")[0];
        Assert.Equal("web", cluster.GetProperty("name").GetString());
        Assert.Equal("roundRobin", cluster.GetProperty("lbPolicy").GetString());
        Assert.Equal(0, cluster.GetProperty("panicPriorities").GetArrayLength());
        var endpoints = cluster.GetProperty("priorities")[0].GetProperty("localities")[0].GetProperty("endpoints");
        Assert.Equal("10.1.0.1:80", endpoints[0].GetProperty("address").GetString());
        // Health 140 × 2/3 = 93 keeps 93% on the healthy hosts (3:1); the degraded one takes the other 7%.
        Assert.Equal(0.93 * 0.75, endpoints[0].GetProperty("share").GetDouble(), 10);
        Assert.Equal("degraded", endpoints[2].GetProperty("health").GetString());
        Assert.Equal(0.07, endpoints[2].GetProperty("share").GetDouble(), 10);
    }

    [Fact]
    public void WriteText_Report_ShowsPanicAndPercents()
    {
        var reports = Simulate(File.ReadAllText(RepositoryPaths.Combine("examples", "topologies", "priority-failover.yaml")));
        var text = new StringWriter();

        TrafficReportWriter.WriteText(text, reports);

        Assert.Contains("in panic: P0", text.ToString(), StringComparison.Ordinal);
        Assert.Contains("priority 1: 92.0000%", text.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("clusters: []", "clusters", "at least one")]
    [InlineData("clusters:\n  - name: a\n    colour: red\n", "clusters[0].colour", "unknown key")]
    [InlineData("clusters:\n  - name: a\n    endpoints: [{address: 10.0.0.1:80, count: 2}]\n", "clusters[0].endpoints[0].address", "leave it out")]
    [InlineData("clusters:\n  - name: a\n    endpoints: [{health: sick}]\n", "clusters[0].endpoints[0].health", "not one of")]
    [InlineData("clusters:\n  - name: a\n    loadBalancer: {localityLb: zoneAware}\n    endpoints: [{}]\n", "clusters[0].loadBalancer.localityLb", "client.peers")]
    public void Read_BadTopology_ReportsPathAndReason(string yaml, string path, string reason)
    {
        var (topology, errors) = TopologyReader.Read(yaml, "topology.yaml");

        Assert.Null(topology);
        Assert.Contains(errors, e => e.Path == path && e.Message.Contains(reason, StringComparison.Ordinal));
    }

    [Fact] // The built binary, as a user runs it.
    public async Task Binary_SimulateJson_PrintsExactShares()
    {
        var result = await ProcessRunner.RunAsync("dotnet",
            [RepositoryPaths.MeshProxyDll, "simulate", "--topology", RepositoryPaths.Combine("examples", "topologies", "priority-failover.yaml"), "--json"],
            TimeSpan.FromSeconds(60), cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var document = JsonDocument.Parse(result.StandardOutput);
        var cluster = document.RootElement.GetProperty("clusters")[0];
        Assert.Equal(0.08, cluster.GetProperty("priorities")[0].GetProperty("share").GetDouble(), 10);
        Assert.Equal(0.92, cluster.GetProperty("priorities")[1].GetProperty("share").GetDouble(), 10);
        Assert.Equal(0, cluster.GetProperty("panicPriorities")[0].GetInt32());
    }

    [Fact]
    public async Task Binary_SimulateBadTopology_ExitsOneWithLineAndPath()
    {
        var file = Path.Combine(Path.GetTempPath(), $"topology-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, "clusters:\n  - name: a\n    lbPolicy: ringHash\n    endpoints: [{}]\n", Encoding.UTF8, TestContext.Current.CancellationToken);
        try
        {
            var result = await ProcessRunner.RunAsync("dotnet", [RepositoryPaths.MeshProxyDll, "simulate", "--topology", file],
                TimeSpan.FromSeconds(60), cancellationToken: TestContext.Current.CancellationToken);

            Assert.Equal(1, result.ExitCode);
            Assert.Contains($"{file}:2:", result.StandardError, StringComparison.Ordinal);
            Assert.Contains("clusters[0].loadBalancer.hash", result.StandardError, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static IReadOnlyList<(string Cluster, TrafficReport Report)> Simulate(string yaml)
    {
        var (topology, errors) = TopologyReader.Read(yaml, "topology.yaml");
        Assert.True(topology is not null, string.Join("\n", errors));
        return TopologySimulation.Run(topology);
    }
}

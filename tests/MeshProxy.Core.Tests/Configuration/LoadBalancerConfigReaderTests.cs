using System.Text;
using System.Text.Json;
using MeshProxy.Admin;
using MeshProxy.Configuration;
using Xunit;

namespace MeshProxy.Tests.Configuration;

/// <summary>The loadBalancer: section and node.localCluster: values, defaults, and every error with its path.</summary>
public sealed class LoadBalancerConfigReaderTests
{
    [Fact]
    public void Read_NoSection_UsesEnvoyDefaults()
    {
        var cluster = Load(Cluster("lbPolicy: roundRobin")).Clusters[0];

        Assert.Same(LoadBalancerConfig.Default, cluster.LoadBalancer);
        Assert.Equal(140, cluster.LoadBalancer.OverprovisioningFactor);
        Assert.Equal(50, cluster.LoadBalancer.PanicThreshold);
        Assert.Equal(LocalityLbMode.None, cluster.LoadBalancer.LocalityLb);
    }

    [Fact]
    public void Read_EverySetting_IsRead()
    {
        var config = Load("""
            node:
              locality: {region: r, zone: a}
              localCluster: self
            clusters:
              - name: self
                endpoints: [{address: 127.0.0.1:9000, locality: {region: r, zone: a}}]
              - name: backend
                lbPolicy: leastRequest
                loadBalancer:
                  overprovisioningFactor: 200
                  panicThreshold: 0
                  failTrafficOnPanic: true
                  weightedPriorityHealth: true
                  localityLb: zoneAware
                  zoneAware: {routingEnabled: 80, minClusterSize: 3}
                  leastRequest: {choiceCount: 3, activeRequestBias: 0.5}
                endpoints: [{address: 127.0.0.1:9001}]
            """);

        var lb = config.Clusters[1].LoadBalancer;
        Assert.Equal("self", config.Node.LocalCluster);
        Assert.Equal(200, lb.OverprovisioningFactor);
        Assert.Equal(0, lb.PanicThreshold);
        Assert.True(lb.FailTrafficOnPanic);
        Assert.True(lb.WeightedPriorityHealth);
        Assert.Equal(LocalityLbMode.ZoneAware, lb.LocalityLb);
        Assert.Equal(new ZoneAwareConfig { RoutingEnabled = 80, MinClusterSize = 3 }, lb.ZoneAware);
        Assert.Equal(new LeastRequestConfig { ChoiceCount = 3, ActiveRequestBias = 0.5 }, lb.LeastRequest);
    }

    [Fact]
    public void Read_IstioSettings_AreRead()
    {
        var lb = Load("""
            node: {locality: {region: r, zone: a}}
            clusters:
              - name: backend
                loadBalancer:
                  localityLb: localityWeighted
                  distribute:
                    - from: r/a/*
                      to: {"r/a/*": 80, "r/b/*": 20}
                endpoints: [{address: 127.0.0.1:9001}]
              - name: other
                loadBalancer:
                  localityPriorities:
                    enabled: true
                    failoverPriority: [topology.istio.io/network, "version=v2"]
                endpoints: [{address: 127.0.0.1:9002}]
            """).Clusters;

        Assert.Equal("r/a/*", lb[0].LoadBalancer.Distribute[0].From);
        Assert.Equal([new("r/a/*", 80), new("r/b/*", 20)], lb[0].LoadBalancer.Distribute[0].To.ToArray());
        Assert.Equal(["topology.istio.io/network", "version=v2"], lb[1].LoadBalancer.LocalityPriorities!.FailoverPriority.ToArray());
    }

    [Fact] // Records compare by value, so an unchanged section keeps the cluster's runtime state across reloads.
    public void Read_SameSectionTwice_ConfigsAreEqual()
    {
        var yaml = Cluster("lbPolicy: maglev", "hash: {header: x-user}", "maglev: {tableSize: 131}");

        Assert.Equal(Load(yaml).Clusters[0], Load(yaml).Clusters[0]);
    }

    [Theory]
    [InlineData("bogus: 1", "clusters[0].loadBalancer.bogus", "unknown key 'bogus'")]
    [InlineData("panicThreshold: 101", "clusters[0].loadBalancer.panicThreshold", "out of range")]
    [InlineData("overprovisioningFactor: 0", "clusters[0].loadBalancer.overprovisioningFactor", "out of range")]
    [InlineData("localityLb: nearest", "clusters[0].loadBalancer.localityLb", "not one of")]
    [InlineData("zoneAware: {routingEnabled: 150}", "clusters[0].loadBalancer.zoneAware.routingEnabled", "out of range")]
    [InlineData("leastRequest: {choiceCount: 1}", "clusters[0].loadBalancer.leastRequest.choiceCount", "out of range")]
    [InlineData("leastRequest: {activeRequestBias: lots}", "clusters[0].loadBalancer.leastRequest.activeRequestBias", "not a number")]
    [InlineData("hash: {header: a, sourceIp: true}", "clusters[0].loadBalancer.hash", "exactly one")]
    [InlineData("maglev: {tableSize: 65536}", "clusters[0].loadBalancer.maglev.tableSize", "not a prime")]
    [InlineData("ringHash: {minimumRingSize: 10, maximumRingSize: 5}", "clusters[0].loadBalancer.ringHash", "larger than")]
    [InlineData("distribute: [{from: 'r/*/x', to: {r: 100}}]", "clusters[0].loadBalancer.distribute[0].from", "'*' may only")]
    [InlineData("distribute: [{from: r, to: {r: 0}}]", "clusters[0].loadBalancer.distribute[0].to.r", "percent")]
    [InlineData("distribute: [{from: r}]", "clusters[0].loadBalancer.distribute[0].to", "is required")]
    public void Read_BadValue_ReportsPathAndReason(string setting, string path, string reason)
    {
        var errors = Errors(Cluster("lbPolicy: roundRobin", setting));

        Assert.Contains(errors, e => e.Path == path && e.Message.Contains(reason, StringComparison.Ordinal) && e.Line > 0);
    }

    [Fact]
    public void Dump_LoadBalancerSection_HasEveryDefault()
    {
        var config = Load(Cluster("lbPolicy: ringHash", "hash: {sourceIp: true}"));
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            ConfigDumpWriter.Write(json, config, 1);
        }

        using var document = JsonDocument.Parse(Encoding.UTF8.GetString(buffer.ToArray()));
        var lb = document.RootElement.GetProperty("clusters")[0].GetProperty("loadBalancer");
        Assert.Equal(140, lb.GetProperty("overprovisioningFactor").GetInt32());
        Assert.Equal("none", lb.GetProperty("localityLb").GetString());
        Assert.Equal(6, lb.GetProperty("zoneAware").GetProperty("minClusterSize").GetInt32());
        Assert.True(lb.GetProperty("hash").GetProperty("sourceIp").GetBoolean());
        Assert.Equal(1024, lb.GetProperty("ringHash").GetProperty("minimumRingSize").GetInt32());
        Assert.Equal(65537, lb.GetProperty("maglev").GetProperty("tableSize").GetInt32());
    }

    internal static string Cluster(string policyLine, params string[] settings)
    {
        var section = settings.Length == 0 ? "" : "    loadBalancer:\n" + string.Concat(settings.Select(s => $"      {s}\n"));
        return $"clusters:\n  - name: backend\n    {policyLine}\n{section}    endpoints: [{{address: 127.0.0.1:9001}}]\n";
    }

    internal static ProxyConfig Load(string yaml) => ConfigLoader.LoadText(yaml, "test.yaml").GetConfigOrThrow();

    internal static IReadOnlyList<ConfigError> Errors(string yaml)
    {
        var result = ConfigLoader.LoadText(yaml, "test.yaml");
        Assert.False(result.Succeeded);
        return result.Errors;
    }
}

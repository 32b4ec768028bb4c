using Xunit;
using static MeshProxy.Tests.Configuration.LoadBalancerConfigReaderTests;

namespace MeshProxy.Tests.Configuration;

/// <summary>Cross-field rules of loadBalancer: and node.localCluster.</summary>
public sealed class LoadBalancerValidatorTests
{
    [Theory]
    [InlineData("lbPolicy: ringHash", "", "clusters[0].loadBalancer.hash", "needs a hash")]
    [InlineData("lbPolicy: maglev", "", "clusters[0].loadBalancer.hash", "needs a hash")]
    [InlineData("lbPolicy: maglev", "failTrafficOnPanic: true", "clusters[0].loadBalancer.failTrafficOnPanic", "has no effect")]
    [InlineData("lbPolicy: roundRobin", "hash: {header: x}", "clusters[0].loadBalancer.hash", "only applies to lbPolicy ringHash or maglev")]
    [InlineData("lbPolicy: random", "leastRequest: {choiceCount: 3}", "clusters[0].loadBalancer.leastRequest", "only applies to lbPolicy leastRequest")]
    [InlineData("lbPolicy: maglev", "ringHash: {minimumRingSize: 8}", "clusters[0].loadBalancer.ringHash", "only applies to lbPolicy ringHash")]
    [InlineData("lbPolicy: roundRobin", "maglev: {tableSize: 131}", "clusters[0].loadBalancer.maglev", "only applies to lbPolicy maglev")]
    [InlineData("lbPolicy: roundRobin", "zoneAware: {minClusterSize: 1}", "clusters[0].loadBalancer.zoneAware", "only applies with localityLb: zoneAware")]
    [InlineData("lbPolicy: roundRobin", "localityLb: zoneAware", "clusters[0].loadBalancer.localityLb", "needs node.localCluster")]
    [InlineData("lbPolicy: roundRobin", "localityLb: zoneAware", "clusters[0].loadBalancer.localityLb", "needs node.locality")]
    [InlineData("lbPolicy: roundRobin", "localityPriorities: {failoverPriority: [a]}", "clusters[0].loadBalancer.localityPriorities.failoverPriority", "enabled is true")]
    [InlineData("lbPolicy: roundRobin", "localityPriorities: {enabled: true}", "clusters[0].loadBalancer.localityPriorities", "needs node.locality")]
    [InlineData("lbPolicy: roundRobin", "distribute: [{from: r, to: {r: 100}}]", "clusters[0].loadBalancer.distribute", "needs localityLb: localityWeighted")]
    [InlineData("lbPolicy: roundRobin", "distribute: [{from: r, to: {r/a: 60, r/b: 30}}]", "clusters[0].loadBalancer.distribute[0].to", "add up to 90")]
    public void Validate_InconsistentSettings_ReportsPathAndReason(string policyLine, string setting, string path, string reason)
    {
        var errors = Errors(Cluster(policyLine, setting.Length == 0 ? [] : [setting]));

        Assert.Contains(errors, e => e.Path == path && e.Message.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_UnknownLocalCluster_ReportsNodePath()
    {
        var errors = Errors("node: {localCluster: nowhere}\n" + Cluster("lbPolicy: roundRobin"));

        Assert.Contains(errors, e => e.Path == "node.localCluster" && e.Message.Contains("'nowhere'", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_UnknownPolicy_ListsTheFiveKnown()
    {
        var errors = Errors(Cluster("lbPolicy: fastest"));

        Assert.Contains(errors, e => e.Path == "clusters[0].lbPolicy" && e.Message.Contains("roundRobin, leastRequest, random, ringHash, maglev", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_DistributeWithLocalityPriorities_Rejected()
    {
        var errors = Errors("node: {locality: {region: r}}\n" + Cluster("lbPolicy: roundRobin", "localityLb: localityWeighted",
            "localityPriorities: {enabled: true}", "distribute: [{from: r, to: {r: 100}}]"));

        Assert.Contains(errors, e => e.Path == "clusters[0].loadBalancer.distribute" && e.Message.Contains("cannot be combined", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ZoneAwareWithHashingPolicy_Rejected()
    {
        var errors = Errors("node: {locality: {region: r}, localCluster: backend}\n" + Cluster("lbPolicy: ringHash", "hash: {header: x}", "localityLb: zoneAware"));

        Assert.Contains(errors, e => e.Path == "clusters[0].loadBalancer.localityLb" && e.Message.Contains("does not apply", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_OriginalDestinationWithSection_Rejected()
    {
        var errors = Errors("clusters:\n  - name: pass\n    type: originalDestination\n    loadBalancer: {panicThreshold: 0}\n");

        Assert.Contains(errors, e => e.Path == "clusters[0].loadBalancer" && e.Message.Contains("originalDestination", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ConsistentZoneAwareConfig_Loads()
    {
        var config = Load("node: {locality: {region: r, zone: a}, localCluster: backend}\n" + Cluster("lbPolicy: roundRobin", "localityLb: zoneAware"));

        Assert.Equal("backend", config.Node.LocalCluster);
    }
}

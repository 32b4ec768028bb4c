using MeshProxy.Configuration;
using MeshProxy.Gateway;

namespace MeshProxy.Tests.Gateway;

public sealed class IstioServerNameTests
{
    [Theory]
    // Istio's own examples (pilot/pkg/model/service_test.go and the docs).
    [InlineData("foo.example.org", 8080, "v1", "outbound_.8080_.v1_.foo.example.org")]
    [InlineData("test.local", 80, null, "outbound_.80_._.test.local")]
    [InlineData("helloworld.sample.svc.cluster.local", 5000, null, "outbound_.5000_._.helloworld.sample.svc.cluster.local")]
    public void Format_ServicePortSubset_IstioDnsSrvSubsetKey(string service, int port, string? subset, string expected)
    {
        Assert.Equal(expected, IstioServerName.Format(service, port, subset));
    }

    [Theory]
    [InlineData("outbound_.8080_.v1_.foo.example.org", 8080, "v1", "foo.example.org")]
    [InlineData("outbound_.80_._.test.local", 80, "", "test.local")]
    [InlineData("OUTBOUND_.443_._.Reviews.Default.svc", 443, "", "Reviews.Default.svc")]
    public void TryParse_OutboundName_Parts(string name, int port, string subset, string service)
    {
        Assert.True(IstioServerName.TryParse(name, out var actualPort, out var actualSubset, out var actualService));

        Assert.Equal((port, subset, service), (actualPort, actualSubset, actualService));
    }

    [Theory]
    [InlineData("reviews.default.svc.cluster.local")]
    [InlineData("inbound_.8080_._.reviews.local")]
    [InlineData("outbound_.0_._.reviews.local")]
    [InlineData("outbound_.65536_._.reviews.local")]
    [InlineData("outbound_.http_._.reviews.local")]
    [InlineData("outbound_._._.reviews.local")]
    [InlineData("outbound_.8080_.v1")]
    [InlineData("outbound_.8080_._.")]
    // Istio's ParseSubsetKey gives up when the host still holds the separator.
    [InlineData("outbound_.8080_._.a_.reviews.local")]
    public void TryParse_NotAnOutboundName_False(string name)
    {
        Assert.False(IstioServerName.TryParse(name, out _, out _, out _));
    }

    [Fact]
    public void ForCluster_ServiceDefaultsToClusterName_NullWithoutServicePort()
    {
        Assert.Equal("outbound_.9080_.v2_.reviews", IstioServerName.ForCluster(new ClusterConfig { Name = "reviews", ServicePort = 9080, Subset = "v2" }));
        Assert.Equal("outbound_.9080_._.r.ns.svc", IstioServerName.ForCluster(new ClusterConfig { Name = "x", Service = "r.ns.svc", ServicePort = 9080 }));
        Assert.Null(IstioServerName.ForCluster(new ClusterConfig { Name = "reviews", Service = "r.ns.svc" }));
    }

    [Theory]
    [InlineData("v1", true)]
    [InlineData("canary-2", true)]
    [InlineData("a", true)]
    [InlineData("", false)]
    [InlineData("-v1", false)]
    [InlineData("v1-", false)]
    [InlineData("v_1", false)]
    [InlineData("v.1", false)]
    [InlineData("vé", false)]
    public void IsValidSubset_DnsLabel(string subset, bool valid)
    {
        Assert.Equal(valid, IstioServerName.IsValidSubset(subset));
    }

    [Fact]
    public void IsValidSubset_63AndNot64Characters()
    {
        Assert.True(IstioServerName.IsValidSubset(new string('a', 63)));
        Assert.False(IstioServerName.IsValidSubset(new string('a', 64)));
    }
}

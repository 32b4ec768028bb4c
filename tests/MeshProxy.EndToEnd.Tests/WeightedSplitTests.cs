using System.Net.Http;
using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>A route's weighted split sends each cluster its share of real requests.</summary>
public sealed class WeightedSplitTests
{
    [Fact]
    public async Task WeightedClusters_8020_SharesWithinTolerance()
    {
        await using var stable = await TestBackend.StartAsync("stable");
        await using var canary = await TestBackend.StartAsync("canary");
        await using var proxy = await ProxyTestHost.StartAsync(ProxyYaml.WeightedSplit((stable, 80), (canary, 20)));
        using var client = new HttpClient();
        const int requests = 2000;

        var counts = new Dictionary<string, int> { ["stable"] = 0, ["canary"] = 0 };
        for (var i = 0; i < requests; i++)
        {
            using var response = await client.GetAsync(proxy.ListenerUri("web", "/status/200"));
            counts[response.Headers.GetValues("x-backend").Single()]++;
        }

        // Binomial standard deviation for 2000 draws at p=0.2 is 0.9 points; 4 points is over 4 sigma.
        var canaryShare = 100.0 * counts["canary"] / requests;
        Assert.InRange(canaryShare, 16.0, 24.0);
        Assert.Equal(requests, counts["stable"] + counts["canary"]);
    }
}

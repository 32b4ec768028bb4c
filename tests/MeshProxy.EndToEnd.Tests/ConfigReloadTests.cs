using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;
using MeshProxy.Telemetry;
using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>The config file is watched; changes apply atomically under traffic, and bad ones are rejected.</summary>
public sealed class ConfigReloadTests
{
    [Fact]
    public async Task Reload_UnderTraffic_NoRequestFails()
    {
        await using var blue = await TestBackend.StartAsync("blue");
        await using var green = await TestBackend.StartAsync("green");
        await using var proxy = await ProxyTestHost.StartFromFileAsync(ProxyYaml.WeightedSplit((blue, 1)));
        using var client = new HttpClient();
        var failures = new ConcurrentQueue<string>();
        var servedBy = new ConcurrentDictionary<string, int>();
        using var stop = new CancellationTokenSource();

        var load = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 20_000 && !stop.IsCancellationRequested; i++)
            {
                try
                {
                    using var response = await client.GetAsync(proxy.ListenerUri("web", "/delay/2"));
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        failures.Enqueue($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    }
                    servedBy.AddOrUpdate(response.Headers.GetValues("x-backend").Single(), 1, (_, n) => n + 1);
                }
                catch (HttpRequestException ex)
                {
                    failures.Enqueue(ex.Message);
                }
            }
        })).ToArray();

        // Swap the route between backends several times, including a config with a mistake in it.
        await Task.Delay(400);
        await proxy.RewriteConfigAsync(ProxyYaml.WeightedSplit((green, 1)));
        await WaitForVersionAsync(proxy, 2);
        await Task.Delay(300);
        await proxy.RewriteConfigAsync(ProxyYaml.WeightedSplit((blue, 1), (green, 1)));
        await WaitForVersionAsync(proxy, 3);
        await Task.Delay(300);
        await proxy.RewriteConfigAsync("listeners: [ { name: web, address: 127.0.0.1:0, http: { routeTable: missing } } ]\n");
        await proxy.Logs.WaitForAsync(EventIds.ConfigRejected, TimeSpan.FromSeconds(10));
        await Task.Delay(300);
        await proxy.RewriteConfigAsync(ProxyYaml.WeightedSplit((green, 1)));
        await WaitForVersionAsync(proxy, 4);
        await Task.Delay(300);
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Empty(failures);
        Assert.True(servedBy.GetValueOrDefault("blue") > 0 && servedBy.GetValueOrDefault("green") > 0, $"served by: {string.Join(", ", servedBy)}");
        using var last = await client.GetAsync(proxy.ListenerUri("web", "/echo"));
        Assert.Equal("green", last.Headers.GetValues("x-backend").Single());
    }

    [Fact]
    public async Task Reload_BadFile_RejectedWithLocationAndOldConfigStays()
    {
        await using var blue = await TestBackend.StartAsync("blue");
        await using var proxy = await ProxyTestHost.StartFromFileAsync(ProxyYaml.WeightedSplit((blue, 1)));

        await proxy.RewriteConfigAsync(ProxyYaml.WeightedSplit((blue, 1)).Replace("weight: 1", "weight: heavy", StringComparison.Ordinal));
        await proxy.Logs.WaitForAsync(EventIds.ConfigRejected, TimeSpan.FromSeconds(10));

        var rejection = proxy.Logs.WithEventId(EventIds.ConfigRejected).Single().Message;
        Assert.Matches(@"proxy\.yaml:\d+:\d+: routeTables\[0\]\.virtualHosts\[0\]\.routes\[0\]\.weightedClusters\[0\]\.weight: 'heavy' is not a whole number", rejection);
        Assert.Equal(1, proxy.Host.ConfigManager.Current.Version);
        var result = await Curl.RunAsync("-o", "/dev/null", "-w", "%{http_code}", proxy.ListenerUri("web", "/echo").ToString());
        Assert.Equal("200", result.StandardOutput.Trim());
    }

    [Fact]
    public async Task Reload_ClusterReplaced_InFlightRequestFinishesOnOldConfig()
    {
        await using var blue = await TestBackend.StartAsync("blue");
        await using var green = await TestBackend.StartAsync("green");
        await using var proxy = await ProxyTestHost.StartFromFileAsync(ProxyYaml.WeightedSplit((blue, 1)));
        using var client = new HttpClient();

        var slow = client.GetAsync(proxy.ListenerUri("web", "/delay/1500"));
        await Task.Delay(300);
        // Same cluster name, different endpoint: the old cluster state (and its connection) must live until the slow request ends.
        await proxy.RewriteConfigAsync(ProxyYaml.WeightedSplit((blue, 1)).Replace(blue.Http1Address.ToString(), green.Http1Address.ToString(), StringComparison.Ordinal));
        await WaitForVersionAsync(proxy, 2);

        using var response = await slow.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("blue", response.Headers.GetValues("x-backend").Single());
        using var next = await client.GetAsync(proxy.ListenerUri("web", "/echo"));
        Assert.Equal("green", next.Headers.GetValues("x-backend").Single());
    }

    private static async Task WaitForVersionAsync(ProxyTestHost proxy, long version)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (proxy.Host.ConfigManager.Current.Version < version)
        {
            await Task.Delay(20, deadline.Token);
        }
    }
}

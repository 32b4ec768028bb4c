using System.Net.Http;
using MeshProxy.TestSupport;
using static MeshProxy.EndToEnd.Tests.HealthYaml;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>
/// Active health checking against real backends that die and come back: a failing endpoint leaves the rotation, a
/// recovered one returns, x-envoy-degraded degrades, TCP checks, and the first round runs before start completes.
/// </summary>
public sealed class HealthCheckingTests : IAsyncDisposable
{
    private readonly HealthRig _rig = new();

    [Fact]
    public async Task DeadEndpoint_LeavesRotation_AndReturnsWhenItRecovers()
    {
        var a = await _rig.BackendAsync("a");
        var b = await _rig.BackendAsync("b");
        var proxy = await _rig.ProxyAsync(Proxy(FastHealthChecks, [Endpoint(a), Endpoint(b)]));

        var before = await _rig.SendAsync(proxy, 200);
        Assert.InRange(before.Share("a"), 0.4, 0.6);

        await a.KillAsync();
        Assert.True(await _rig.FlagsAsync(proxy, "/failed_active_hc", a), "a was not marked failed");
        var during = await _rig.SendAsync(proxy, 200);
        Assert.Equal(200, during.Count("b")); // every request answered, by b alone: no 503 once a is out

        await a.ReviveAsync();
        Assert.True(await _rig.FlagsAsync(proxy, "healthy", a), "a did not come back");
        var after = await _rig.SendAsync(proxy, 400);
        Assert.InRange(after.Share("a"), 0.4, 0.6);

        var stats = await _rig.StatsAsync(proxy);
        Assert.True(stats["cluster.backend.health_check.failure"] >= 1);
        Assert.True(stats["cluster.backend.health_check.network_failure"] >= 1);
        Assert.True(stats["cluster.backend.health_check.success"] >= 2);
        Assert.Equal(2, stats["cluster.backend.health_check.healthy"]);
    }

    [Fact] // Envoy: x-envoy-degraded on a passing check degrades the host. With 1 of 2 degraded: healthy load 140 × 1/2 = 70, degraded 30.
    public async Task DegradedHeader_DegradesEndpoint_LoadsFollowEnvoy()
    {
        var a = await _rig.BackendAsync("a");
        var b = await _rig.BackendAsync("b");
        b.Degraded = true;
        var proxy = await _rig.ProxyAsync(Proxy(FastHealthChecks, [Endpoint(a), Endpoint(b)]));
        Assert.True(await _rig.FlagsAsync(proxy, "/degraded_active_hc", b));

        var degraded = await _rig.SendAsync(proxy, 1000);
        // 1000 draws at p = 0.3: the standard deviation is 1.45 points, so 6 points is over 4 sigma.
        Assert.InRange(degraded.Share("b"), 0.24, 0.36);
        Assert.Equal(1, await AdminStats.GetAsync(_rig.Client, proxy, "cluster.backend.health_check.degraded"));

        b.Degraded = false;
        Assert.True(await _rig.FlagsAsync(proxy, "healthy", b));
        var healthy = await _rig.SendAsync(proxy, 400);
        Assert.InRange(healthy.Share("b"), 0.4, 0.6);
    }

    [Fact] // New endpoints start as failing and start-up waits for their first check, so a dead one never gets a request.
    public async Task TcpCheck_DeadEndpointAtStart_NeverGetsTraffic()
    {
        var alive = await _rig.BackendAsync("alive");
        var dead = await _rig.BackendAsync("dead");
        await dead.KillAsync();
        var proxy = await _rig.ProxyAsync(Proxy("""
            healthChecks:
              interval: 100ms
              noTrafficInterval: 100ms
              tcp: {}
            """, [Endpoint(alive), Endpoint(dead)]));

        var sample = await _rig.SendAsync(proxy, 100);

        Assert.Equal(100, sample.Count("alive"));
        Assert.Equal("/failed_active_hc", await _rig.HealthFlagsAsync(proxy, dead));
        await dead.ReviveAsync();
        Assert.True(await _rig.FlagsAsync(proxy, "healthy", dead), "a TCP check should pass once the port accepts again");
    }

    [Fact] // A reload that changes the cluster keeps each address's health: the dead endpoint stays out, no new failing round.
    public async Task Reload_ChangedCluster_KeepsEndpointHealth()
    {
        var a = await _rig.BackendAsync("a");
        var b = await _rig.BackendAsync("b");
        var c = await _rig.BackendAsync("c");
        await b.KillAsync();
        var yaml = Proxy(FastHealthChecks, [Endpoint(a), Endpoint(b)]);
        await using var proxy = await ProxyTestHost.StartFromFileAsync(yaml);
        Assert.Equal("/failed_active_hc", await _rig.HealthFlagsAsync(proxy, b));

        await proxy.RewriteConfigAsync(Proxy(FastHealthChecks, [Endpoint(a), Endpoint(b), Endpoint(c)]));
        Assert.True(await _rig.FlagsAsync(proxy, "healthy", c));

        Assert.Equal("/failed_active_hc", await _rig.HealthFlagsAsync(proxy, b));
        var sample = await _rig.SendAsync(proxy, 200);
        Assert.Equal(0, sample.Count("status 503"));
        Assert.Equal(200, sample.Count("a") + sample.Count("c"));
    }

    public ValueTask DisposeAsync() => _rig.DisposeAsync();
}

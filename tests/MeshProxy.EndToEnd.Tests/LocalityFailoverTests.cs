using System.Net.Http;
using MeshProxy.TestSupport;
using static MeshProxy.EndToEnd.Tests.HealthYaml;

namespace MeshProxy.EndToEnd.Tests;

/// <summary>
/// Real backends in several zones on loopback, killed and revived while real requests flow: the share of traffic each
/// zone gets follows Envoy's priority arithmetic as active health checks take endpoints out and bring them back.
/// </summary>
public sealed class LocalityFailoverTests : IAsyncDisposable
{
    private const string NodeInZoneA = "node: { locality: { region: r, zone: zone-a } }";
    private readonly HealthRig _rig = new();

    [Fact]
    public async Task TwoOfThreeP0EndpointsDie_PriorityLoadMovesPerEnvoyFormula()
    {
        var zoneA = await _rig.BackendsAsync("a", 3);
        var zoneB = await _rig.BackendsAsync("b", 3);
        var proxy = await _rig.ProxyAsync(Proxy(FastHealthChecks,
            [.. zoneA.Select(e => Endpoint(e, "zone-a", priority: 0)), .. zoneB.Select(e => Endpoint(e, "zone-b", priority: 1))]));
        var namesA = zoneA.Select(e => e.Name).ToArray();

        var healthy = await _rig.SendAsync(proxy, 300);
        Assert.Equal(1.0, healthy.Share(namesA));

        await zoneA[0].KillAsync();
        await zoneA[1].KillAsync();
        Assert.True(await _rig.FlagsAsync(proxy, "/failed_active_hc", zoneA[0], zoneA[1]), "the dead endpoints were not taken out");
        var degraded = await _rig.SendAsync(proxy, 2000);

        // health(P0) = 140 × 1/3 = 46 (integer), health(P1) = 100, so P0 keeps 46% and P1 takes 54%.
        // 2000 draws at p = 0.46: the standard deviation is 1.1 points; 5 points is over 4 sigma.
        Assert.InRange(degraded.Share(zoneA[2].Name), 0.41, 0.51);
        Assert.InRange(degraded.Share(zoneB.Select(e => e.Name).ToArray()), 0.49, 0.59);
        Assert.Equal(2000, degraded.Count(zoneA[2].Name) + zoneB.Sum(e => degraded.Count(e.Name)));

        await zoneA[0].ReviveAsync();
        await zoneA[1].ReviveAsync();
        Assert.True(await _rig.FlagsAsync(proxy, "healthy", zoneA), "the revived endpoints did not come back");
        var recovered = await _rig.SendAsync(proxy, 300);
        Assert.Equal(1.0, recovered.Share(namesA));
    }

    [Fact] // Istio's derived priorities: zone-a (this proxy's zone) P0, zone-b P1, the other region P2.
    public async Task LocalZoneDies_TrafficFailsOverToNextLocality_AndReturns()
    {
        var zoneA = await _rig.BackendsAsync("a", 2);
        var zoneB = await _rig.BackendsAsync("b", 2);
        var remote = await _rig.BackendsAsync("remote", 1);
        var proxy = await _rig.ProxyAsync(Proxy(FastHealthChecks + "\nloadBalancer: { localityPriorities: { enabled: true } }",
            [.. zoneA.Select(e => Endpoint(e, "zone-a")), .. zoneB.Select(e => Endpoint(e, "zone-b")), Endpoint(remote[0], "zone-c", region: "other")],
            NodeInZoneA));
        var namesA = zoneA.Select(e => e.Name).ToArray();
        var namesB = zoneB.Select(e => e.Name).ToArray();

        var local = await _rig.SendAsync(proxy, 300);
        Assert.Equal(1.0, local.Share(namesA));

        foreach (var backend in zoneA)
        {
            await backend.KillAsync();
        }
        Assert.True(await _rig.FlagsAsync(proxy, "/failed_active_hc", zoneA), "zone-a was not taken out");
        var failedOver = await _rig.SendAsync(proxy, 300);

        // P0 has no healthy host, P1 is fully healthy: 100% to zone-b, none to the other region, no errors.
        Assert.Equal(1.0, failedOver.Share(namesB));
        Assert.InRange(failedOver.Share(namesB[0]), 0.4, 0.6);

        foreach (var backend in zoneA)
        {
            await backend.ReviveAsync();
        }
        Assert.True(await _rig.FlagsAsync(proxy, "healthy", zoneA), "zone-a did not come back");
        var back = await _rig.SendAsync(proxy, 300);
        Assert.Equal(1.0, back.Share(namesA));
    }

    public ValueTask DisposeAsync() => _rig.DisposeAsync();
}

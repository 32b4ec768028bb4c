using System.Net;
using MeshProxy.Configuration;
using MeshProxy.LoadBalancing;
using MeshProxy.Upstream;

namespace MeshProxy.Tests.LoadBalancing;

/// <summary>Builds endpoint sets for load-balancing tests: unique loopback addresses, chosen health, locality and weight.</summary>
internal static class TestEndpoints
{
    private static int s_next;

    public static LocalityConfig Zone(string zone, string region = "region", string subzone = "") => new(region, zone, subzone);

    /// <summary>
    /// <paramref name="count"/> endpoints: the first <paramref name="healthy"/> healthy (all by default), the next
    /// <paramref name="degraded"/> degraded, the rest unhealthy.
    /// </summary>
    public static EndpointState[] Create(int count, int? healthy = null, int degraded = 0, int priority = 0, LocalityConfig? locality = null, int weight = 1,
        IEnumerable<KeyValuePair<string, string>>? metadata = null)
    {
        var healthyCount = healthy ?? count;
        var endpoints = new EndpointState[count];
        for (var i = 0; i < count; i++)
        {
            var config = new EndpointConfig
            {
                Address = NextAddress(),
                Priority = priority,
                Weight = weight,
                Locality = locality ?? LocalityConfig.None,
                Metadata = metadata?.ToArray() ?? [],
            };
            var health = i < healthyCount ? EndpointHealth.Healthy : i < healthyCount + degraded ? EndpointHealth.Degraded : EndpointHealth.Unhealthy;
            endpoints[i] = new EndpointState(config, health);
        }
        return endpoints;
    }

    /// <summary>One priority of 100 hosts of which <paramref name="healthyPercent"/> are healthy, as in Envoy's doc tables.</summary>
    public static EndpointState[] Percent(int priority, int healthyPercent, int degradedPercent = 0) =>
        Create(100, healthyPercent, degradedPercent, priority);

    public static ClusterLoadBalancer Balancer(IEnumerable<EndpointState> endpoints, LoadBalancerConfig? config = null, string policy = LoadBalancingPolicies.RoundRobin, ulong seed = 0) =>
        new(endpoints.ToArray(), policy, config ?? LoadBalancerConfig.Default, seed);

    public static LoadBalancerConfig WithPanic(int panicThreshold) => new() { PanicThreshold = panicThreshold };

    private static IPEndPoint NextAddress()
    {
        var n = Interlocked.Increment(ref s_next);
        return new IPEndPoint(new IPAddress([127, (byte)(n >> 16), (byte)(n >> 8), (byte)n]), 8000 + (n % 1000));
    }
}

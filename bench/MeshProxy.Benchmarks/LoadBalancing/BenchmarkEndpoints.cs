using System.Net;
using MeshProxy.Configuration;
using MeshProxy.Upstream;

namespace MeshProxy.Benchmarks.LoadBalancing;

/// <summary>Endpoint sets for the load-balancing benchmarks: <c>count</c> hosts spread over localities and priorities.</summary>
internal static class BenchmarkEndpoints
{
    public static EndpointState[] Create(int count, int localities, int priorities = 1, int maxWeight = 1)
    {
        var endpoints = new EndpointState[count];
        for (var i = 0; i < count; i++)
        {
            endpoints[i] = new EndpointState(new EndpointConfig
            {
                Address = new IPEndPoint(new IPAddress([10, (byte)(i >> 16), (byte)(i >> 8), (byte)i]), 80),
                Weight = 1 + (i % maxWeight),
                Priority = i % priorities,
                Locality = new LocalityConfig("region", "zone-" + (i % localities)),
            });
        }
        return endpoints;
    }
}

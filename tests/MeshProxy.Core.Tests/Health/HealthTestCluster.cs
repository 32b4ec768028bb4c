using System.Net;
using MeshProxy.Configuration;
using MeshProxy.Http;
using MeshProxy.Upstream;
using MeshProxy.Utilities;
using Microsoft.Extensions.Time.Testing;

namespace MeshProxy.Tests.Health;

/// <summary>A real ClusterState with <c>count</c> endpoints on loopback addresses, for driving the health layer by hand.</summary>
internal static class HealthTestCluster
{
    private static int s_nextPort = 20_000;

    public static ClusterState Create(int count, Func<ClusterConfig, ClusterConfig>? configure = null, int firstPort = 0, FakeTimeProvider? time = null)
    {
        var basePort = firstPort != 0 ? firstPort : Interlocked.Add(ref s_nextPort, count) - count;
        var config = new ClusterConfig
        {
            Name = "backend",
            Endpoints = Enumerable.Range(0, count).Select(i => new EndpointConfig { Address = new IPEndPoint(IPAddress.Loopback, basePort + i) }).ToArray(),
        };
        return new ClusterState(configure?.Invoke(config) ?? config, new SocketsHttpEngineFactory(), time ?? new FakeTimeProvider());
    }

    /// <summary>The same endpoint addresses in a new cluster object, as a reload that changed the cluster builds.</summary>
    public static ClusterState Rebuild(ClusterState cluster, FakeTimeProvider time) =>
        new(cluster.Config with { Service = "rebuilt" }, new SocketsHttpEngineFactory(), time);
}

/// <summary>An IRandomFactory whose draws are scripted: Next(n) returns the queued values in order (modulo n), then 0.</summary>
internal sealed class ScriptedRandomFactory(params int[] draws) : IRandomFactory
{
    private readonly ScriptedRandom _random = new(draws);

    public Random CreateRandomInstance() => _random;

    private sealed class ScriptedRandom(int[] draws) : Random
    {
        private int _next;

        public override int Next(int maxValue) => _next < draws.Length ? draws[_next++] % maxValue : 0;

        public override long NextInt64(long maxValue) => Next((int)Math.Min(maxValue, int.MaxValue));
    }
}

/// <summary>A seeded IRandomFactory, one shared instance (the health layer draws under its own locks).</summary>
internal sealed class SeededRandomFactory(int seed) : IRandomFactory
{
    private readonly Random _random = new(seed);

    public Random CreateRandomInstance() => _random;
}

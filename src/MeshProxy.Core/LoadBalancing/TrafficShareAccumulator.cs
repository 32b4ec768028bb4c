using MeshProxy.Upstream;

namespace MeshProxy.LoadBalancing;

/// <summary>Sums the exact share of requests each endpoint receives, and the share that finds no host.</summary>
internal sealed class TrafficShareAccumulator
{
    private readonly Dictionary<EndpointState, double> _shares = new(ReferenceEqualityComparer.Instance);

    public double Unrouted { get; set; }

    public void Add(EndpointState endpoint, double share) => _shares[endpoint] = _shares.GetValueOrDefault(endpoint) + share;

    public double ShareOf(EndpointState endpoint) => _shares.GetValueOrDefault(endpoint);
}

using MeshProxy.Configuration;
using MeshProxy.Upstream;

namespace MeshProxy.LoadBalancing;

/// <summary>
/// The exact long-run share of requests each priority, locality and endpoint of a cluster receives, computed from
/// the same snapshot, loads and pickers that picks use (priority loads × locality shares × picker shares), not by
/// sampling. Assumes no requests in flight (least request then splits by weight). Shares are fractions of 1.
/// </summary>
/// <param name="Unrouted">The share of requests that find no host (503 no healthy upstream).</param>
public sealed record TrafficReport(string Policy, int NormalizedTotalAvailability, bool TotalPanic, IReadOnlyList<TrafficReport.PriorityTraffic> Priorities, double Unrouted)
{
    /// <param name="Load">The percent of requests Envoy's priority loads assign (healthy + degraded load).</param>
    /// <param name="Share">The share that reaches a host of this priority.</param>
    /// <param name="Health">min(100, OPF × healthy / hosts), the healthy availability.</param>
    /// <param name="DegradedAvailability">The same for degraded hosts.</param>
    public sealed record PriorityTraffic(int Priority, int Load, int HealthyLoad, int DegradedLoad, double Share, int Health, int DegradedAvailability, bool Panic,
        int Hosts, int HealthyHosts, int DegradedHosts, int ExcludedHosts, IReadOnlyList<LocalityTraffic> Localities);

    /// <param name="Weight">The locality's weight (sum of endpoint weights, or as distribute set it).</param>
    public sealed record LocalityTraffic(LocalityConfig Locality, int Weight, double Share, IReadOnlyList<EndpointTraffic> Endpoints);

    public sealed record EndpointTraffic(EndpointState Endpoint, EndpointHealth Health, bool Excluded, double Share);
}

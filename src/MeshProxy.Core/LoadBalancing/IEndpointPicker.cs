using MeshProxy.Upstream;

namespace MeshProxy.LoadBalancing;

/// <summary>
/// Chooses one host from a fixed host list (one locality, or one priority's healthy, degraded or all hosts).
/// The cluster balancer makes one picker per host list when it rebuilds, so a picker may keep state (a cursor,
/// a ring) but never sees the list change. Picks are thread-safe and allocate nothing.
/// </summary>
internal interface IEndpointPicker
{
    /// <param name="context">The request: its random source and hash key.</param>
    /// <param name="hash">The value that chose the priority: a random number, or the request's hash for hashing pickers.</param>
    /// <param name="attempt">0 on the first try, n on the n-th extra host-selection attempt (hashing pickers step away from the first host).</param>
    /// <returns>A host, or null when the list is empty.</returns>
    EndpointState? Pick(in LoadBalancerContext context, ulong hash, int attempt);

    /// <summary>Writes each host's exact long-run share of this picker's requests, with no requests in flight.</summary>
    void WriteShares(Span<double> shares);
}

namespace MeshProxy.LoadBalancing;

/// <summary>Names of the built-in endpoint pickers, as written in a cluster's lbPolicy.</summary>
public static class LoadBalancingPolicies
{
    /// <summary>Weighted round robin by earliest deadline first, Envoy's default (ROUND_ROBIN).</summary>
    public const string RoundRobin = "roundRobin";

    /// <summary>A uniformly random endpoint, ignoring weights as Envoy does (RANDOM).</summary>
    public const string Random = "random";

    /// <summary>Fewest active requests among <c>choiceCount</c> random hosts; weighted EDF when weights differ (LEAST_REQUEST).</summary>
    public const string LeastRequest = "leastRequest";

    /// <summary>Consistent hashing on a ketama ring of xxHash64 points (RING_HASH).</summary>
    public const string RingHash = "ringHash";

    /// <summary>Consistent hashing on a Maglev lookup table (MAGLEV).</summary>
    public const string Maglev = "maglev";

    /// <summary>Every known name, in the order the docs list them.</summary>
    public static IReadOnlyCollection<string> All { get; } = [RoundRobin, LeastRequest, Random, RingHash, Maglev];

    /// <summary>Whether the policy hashes the request (and so ignores zone-aware routing and needs a hash policy).</summary>
    public static bool IsHashing(string policy) => policy is RingHash or Maglev;
}

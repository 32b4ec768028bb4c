using MeshProxy.Upstream;

namespace MeshProxy.LoadBalancing;

/// <summary>
/// What one pick needs from its request (Envoy's LoadBalancerContext): a random source, the request's hash for
/// ringHash and maglev, and, for retries, a predicate that rejects hosts already tried with a bounded number of
/// extra selection attempts (host_selection_retry_max_attempts); when every attempt is rejected the last pick is used.
/// A struct passed by <c>in</c>, so a pick allocates nothing.
/// </summary>
public readonly struct LoadBalancerContext
{
    public LoadBalancerContext(Random random, ulong? hashKey = null, Func<EndpointState, bool>? shouldSelectAnotherEndpoint = null, int hostSelectionRetryCount = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(hostSelectionRetryCount);
        Random = random;
        HashKey = hashKey;
        ShouldSelectAnotherEndpoint = shouldSelectAnotherEndpoint;
        HostSelectionRetryCount = hostSelectionRetryCount;
    }

    /// <summary>The calling thread's random (from IRandomFactory); a seeded one makes picks reproducible.</summary>
    public Random Random { get; }

    /// <summary>The request's 64-bit hash (see <see cref="RequestHash"/>); ringHash and maglev use a random value without one.</summary>
    public ulong? HashKey { get; }

    /// <summary>Returns true for a host the caller wants to avoid (a previous attempt's host). Null: accept any.</summary>
    public Func<EndpointState, bool>? ShouldSelectAnotherEndpoint { get; }

    /// <summary>Extra selection attempts when <see cref="ShouldSelectAnotherEndpoint"/> rejects a host. Default 0.</summary>
    public int HostSelectionRetryCount { get; }

    /// <summary>A uniformly distributed 64-bit value, like Envoy's random_.random().</summary>
    internal ulong NextRandom() => unchecked((ulong)Random.NextInt64(long.MinValue, long.MaxValue));

    /// <summary>Whether the host is acceptable, or selection should try again.</summary>
    internal bool Accepts(EndpointState? endpoint) => endpoint is null || ShouldSelectAnotherEndpoint is null || !ShouldSelectAnotherEndpoint(endpoint);
}

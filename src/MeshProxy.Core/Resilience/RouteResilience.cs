using MeshProxy.Configuration;

namespace MeshProxy.Resilience;

/// <summary>
/// A route's resilience settings, resolved (the route's own, else its virtual host's) and compiled once per snapshot.
/// </summary>
public sealed class RouteResilience
{
    public static RouteResilience None { get; } = new(new RouteConfig(), new VirtualHostConfig { Name = "" });

    public RouteResilience(RouteConfig route, VirtualHostConfig virtualHost)
    {
        var retry = route.RetryPolicy ?? virtualHost.RetryPolicy;
        Retry = retry is null ? null : new RetryPolicy(retry);
        var hedge = route.HedgePolicy ?? virtualHost.HedgePolicy;
        HedgeOnPerTryTimeout = Retry is not null && hedge is { HedgeOnPerTryTimeout: true } && Retry.PerTryTimeout > TimeSpan.Zero;
        AdaptiveHedge = Retry is not null ? hedge?.Adaptive : null;
        BufferLimitBytes = route.BufferLimitBytes;
        IncludeAttemptCount = virtualHost.IncludeAttemptCount;
        ExpectedTimeoutHeader = route.ExpectedTimeoutHeader;
        RouteTimeout = route.Timeout;
        Priority = route.Priority;
        // Envoy ignores a per-try timeout that is not shorter than the route timeout.
        PerTryTimeout = Retry is { PerTryTimeout: var perTry } && perTry > TimeSpan.Zero && (RouteTimeout == TimeSpan.Zero || perTry < RouteTimeout) ? perTry : TimeSpan.Zero;
    }

    /// <summary>Null: no retries, one attempt per request (the fast path).</summary>
    public RetryPolicy? Retry { get; }

    public TimeSpan PerTryTimeout { get; }

    public bool HedgeOnPerTryTimeout { get; }

    public AdaptiveHedgeConfig? AdaptiveHedge { get; }

    public int BufferLimitBytes { get; }

    public bool IncludeAttemptCount { get; }

    public bool ExpectedTimeoutHeader { get; }

    public TimeSpan RouteTimeout { get; }

    public RoutingPriority Priority { get; }

    /// <summary>
    /// Envoy's x-envoy-expected-rq-timeout-ms for an attempt: the per-try timeout (the remaining route timeout when
    /// hedging or without one), never more than what is left of the route timeout; null when neither is set.
    /// </summary>
    public long? ExpectedTimeoutMilliseconds(TimeSpan elapsedSinceRequestComplete)
    {
        var expected = HedgeOnPerTryTimeout || AdaptiveHedge is not null || PerTryTimeout == TimeSpan.Zero ? RouteTimeout : PerTryTimeout;
        if (expected <= TimeSpan.Zero)
        {
            return null;
        }
        if (RouteTimeout > TimeSpan.Zero)
        {
            expected = elapsedSinceRequestComplete >= RouteTimeout ? TimeSpan.FromMilliseconds(1) : Min(expected, RouteTimeout - elapsedSinceRequestComplete);
        }
        return Math.Max(1, (long)expected.TotalMilliseconds);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

using MeshProxy.Utilities;

namespace MeshProxy.Configuration;

/// <summary>
/// When and how a request is retried (Envoy's RetryPolicy). Set on a route, or on a virtual host as the default of its
/// routes. Retries stay within the route timeout, the cluster's retry circuit breaker or budget, and the request
/// body buffer limit; nothing is retried once the response has started towards the client.
/// </summary>
public sealed record RetryPolicyConfig
{
    /// <summary>The conditions that trigger a retry (Envoy's retry_on). Required.</summary>
    public RetryOn RetryOn { get; init; }

    /// <summary>Retries after the first attempt. Default 1 (Envoy's num_retries).</summary>
    public int NumRetries { get; init; } = 1;

    /// <summary>Each attempt's timeout, from when the whole request has been sent. Zero: none (only the route timeout).</summary>
    public TimeSpan PerTryTimeout { get; init; }

    /// <summary>The back-off base interval. Default 25ms (Envoy's).</summary>
    public TimeSpan BaseInterval { get; init; } = TimeSpan.FromMilliseconds(25);

    /// <summary>The back-off cap. Default 10 × base interval.</summary>
    public TimeSpan? MaxInterval { get; init; }

    /// <summary>Status codes retried under retriable-status-codes.</summary>
    public EquatableArray<int> RetriableStatusCodes { get; init; } = EquatableArray<int>.Empty;

    /// <summary>Response headers that trigger a retry under retriable-headers (any one matching).</summary>
    public EquatableArray<HeaderMatchConfig> RetriableHeaders { get; init; } = EquatableArray<HeaderMatchConfig>.Empty;

    /// <summary>Whether a retry avoids the endpoints already tried (Envoy's previous_hosts predicate). Default true, as Istio sets it.</summary>
    public bool AvoidPreviousHosts { get; init; } = true;

    /// <summary>How many extra picks a retry may make to find an untried endpoint. Default 5, as Istio sets it.</summary>
    public int HostSelectionRetryMaxAttempts { get; init; } = 5;

    public TimeSpan EffectiveMaxInterval => MaxInterval ?? BaseInterval * 10;
}

/// <summary>Envoy's retry_on conditions.</summary>
[Flags]
public enum RetryOn
{
    None = 0,

    /// <summary>Any 5xx response, or any reset, connect failure or refused stream.</summary>
    FiveXx = 1 << 0,

    /// <summary>502, 503 and 504 responses, and any reset.</summary>
    GatewayError = 1 << 1,

    /// <summary>The upstream did not respond: a reset, a disconnect, a per-try timeout.</summary>
    Reset = 1 << 2,

    /// <summary>The connection could not be made (refused, timed out, TLS failed).</summary>
    ConnectFailure = 1 << 3,

    /// <summary>409 Conflict.</summary>
    Retriable4xx = 1 << 4,

    /// <summary>HTTP/2 REFUSED_STREAM.</summary>
    RefusedStream = 1 << 5,

    /// <summary>The codes in retriableStatusCodes.</summary>
    RetriableStatusCodes = 1 << 6,

    /// <summary>A response header in retriableHeaders.</summary>
    RetriableHeaders = 1 << 7,

    /// <summary>A reset before any request byte went upstream (safe for any method).</summary>
    ResetBeforeRequest = 1 << 8,
}

/// <summary>
/// Racing attempts instead of waiting (Envoy's HedgePolicy): on a per-try timeout the attempt is kept and another
/// starts on a different endpoint; the first acceptable response wins and the others are cancelled. Hedges count
/// against the retry policy's numRetries and the cluster's retry budget.
/// </summary>
public sealed record HedgePolicyConfig
{
    /// <summary>Hedge when an attempt reaches the retry policy's perTryTimeout. Default false.</summary>
    public bool HedgeOnPerTryTimeout { get; init; }

    /// <summary>Beyond Envoy: hedge after an observed latency percentile of the cluster instead of a fixed delay. Null: off.</summary>
    public AdaptiveHedgeConfig? Adaptive { get; init; }
}

/// <summary>
/// The hedge delay follows the cluster's recent latency: an attempt slower than the given percentile of recent
/// attempts is hedged, within a budget of hedges as a share of requests.
/// </summary>
public sealed record AdaptiveHedgeConfig
{
    /// <summary>The latency percentile to hedge after, 50–99.9. Default 95.</summary>
    public double Percentile { get; init; } = 95;

    /// <summary>The delay is never shorter than this. Default 1ms.</summary>
    public TimeSpan MinDelay { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>At most this percentage of requests get a hedge. Default 10.</summary>
    public double BudgetPercent { get; init; } = 10;

    /// <summary>Attempts observed before hedging starts; until then the per-try timeout (if any) applies. Default 100.</summary>
    public int MinSamples { get; init; } = 100;
}

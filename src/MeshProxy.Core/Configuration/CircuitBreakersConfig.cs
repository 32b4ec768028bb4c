using MeshProxy.Utilities;

namespace MeshProxy.Configuration;

/// <summary>
/// A cluster's circuit breakers per routing priority (Envoy's CircuitBreakers.thresholds). A priority without an
/// entry uses Envoy's defaults. Overflow answers 503 with x-envoy-overloaded: true and flag UO, and is counted.
/// </summary>
public sealed record CircuitBreakersConfig
{
    public static CircuitBreakersConfig Default { get; } = new();

    public EquatableArray<CircuitBreakerThresholdsConfig> Thresholds { get; init; } = EquatableArray<CircuitBreakerThresholdsConfig>.Empty;

    /// <summary>The thresholds of a priority: the first entry naming it, else the defaults.</summary>
    public CircuitBreakerThresholdsConfig For(RoutingPriority priority)
    {
        foreach (var thresholds in Thresholds)
        {
            if (thresholds.Priority == priority)
            {
                return thresholds;
            }
        }
        return priority == RoutingPriority.Default ? CircuitBreakerThresholdsConfig.Default : CircuitBreakerThresholdsConfig.DefaultHigh;
    }
}

/// <summary>Limits for one routing priority. Defaults are Envoy's: 1024 connections, pending requests and requests; 3 retries.</summary>
public sealed record CircuitBreakerThresholdsConfig
{
    public static CircuitBreakerThresholdsConfig Default { get; } = new();

    public static CircuitBreakerThresholdsConfig DefaultHigh { get; } = new() { Priority = RoutingPriority.High };

    public RoutingPriority Priority { get; init; } = RoutingPriority.Default;

    /// <summary>Connections to all of the cluster's endpoints (HTTP pools and TCP relays).</summary>
    public int MaxConnections { get; init; } = 1024;

    /// <summary>Requests waiting for a connection because maxConnections is reached.</summary>
    public int MaxPendingRequests { get; init; } = 1024;

    /// <summary>Requests in flight to the cluster.</summary>
    public int MaxRequests { get; init; } = 1024;

    /// <summary>Retries in flight (including their back-off). Replaced by retryBudget when that is set.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Retries in flight as a share of active and pending requests. Null: maxRetries applies.</summary>
    public RetryBudgetConfig? RetryBudget { get; init; }
}

/// <summary>Envoy's retry budget: at most budgetPercent of active requests may be retries, but always minRetryConcurrency.</summary>
public sealed record RetryBudgetConfig
{
    public double BudgetPercent { get; init; } = 20;

    public int MinRetryConcurrency { get; init; } = 3;
}

/// <summary>Envoy's RoutingPriority: a route's requests use its cluster's limits for this priority.</summary>
public enum RoutingPriority
{
    Default,
    High,
}

using System.Globalization;
using System.Text.Json;
using MeshProxy.Configuration;
using MeshProxy.Utilities;

namespace MeshProxy.Admin;

/// <summary>The resilience parts of /config_dump (retry and hedge policies, route limits, circuit breakers), defaults filled in.</summary>
internal static class ResilienceDumpWriter
{
    private static readonly (RetryOn Flag, string Name)[] Conditions =
    [
        (RetryOn.FiveXx, "5xx"), (RetryOn.GatewayError, "gateway-error"), (RetryOn.Reset, "reset"),
        (RetryOn.ResetBeforeRequest, "reset-before-request"), (RetryOn.ConnectFailure, "connect-failure"),
        (RetryOn.Retriable4xx, "retriable-4xx"), (RetryOn.RefusedStream, "refused-stream"),
        (RetryOn.RetriableStatusCodes, "retriable-status-codes"), (RetryOn.RetriableHeaders, "retriable-headers"),
    ];

    public static void WriteVirtualHost(Utf8JsonWriter json, VirtualHostConfig virtualHost)
    {
        WritePolicies(json, virtualHost.RetryPolicy, virtualHost.HedgePolicy);
        json.WriteBoolean("includeAttemptCount", virtualHost.IncludeAttemptCount);
    }

    public static void WriteRoute(Utf8JsonWriter json, RouteConfig route)
    {
        WritePolicies(json, route.RetryPolicy, route.HedgePolicy);
        json.WriteString("maxStreamDuration", Durations.Format(route.MaxStreamDuration));
        json.WriteNumber("bufferLimitBytes", route.BufferLimitBytes);
        json.WriteBoolean("expectedTimeoutHeader", route.ExpectedTimeoutHeader);
        json.WriteString("priority", ConfigDumpWriter.Camel(route.Priority));
    }

    public static void WriteCircuitBreakers(Utf8JsonWriter json, CircuitBreakersConfig breakers)
    {
        json.WriteStartObject("circuitBreakers");
        json.WriteStartArray("thresholds");
        foreach (var priority in new[] { RoutingPriority.Default, RoutingPriority.High })
        {
            var thresholds = breakers.For(priority);
            json.WriteStartObject();
            json.WriteString("priority", ConfigDumpWriter.Camel(priority));
            json.WriteNumber("maxConnections", thresholds.MaxConnections);
            json.WriteNumber("maxPendingRequests", thresholds.MaxPendingRequests);
            json.WriteNumber("maxRequests", thresholds.MaxRequests);
            json.WriteNumber("maxRetries", thresholds.MaxRetries);
            if (thresholds.RetryBudget is { } budget)
            {
                json.WriteStartObject("retryBudget");
                json.WriteNumber("budgetPercent", budget.BudgetPercent);
                json.WriteNumber("minRetryConcurrency", budget.MinRetryConcurrency);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WritePolicies(Utf8JsonWriter json, RetryPolicyConfig? retry, HedgePolicyConfig? hedge)
    {
        if (retry is not null)
        {
            json.WriteStartObject("retryPolicy");
            json.WriteString("retryOn", string.Join(',', Conditions.Where(c => (retry.RetryOn & c.Flag) != 0).Select(c => c.Name)));
            json.WriteNumber("numRetries", retry.NumRetries);
            json.WriteString("perTryTimeout", Durations.Format(retry.PerTryTimeout));
            json.WriteString("baseInterval", Durations.Format(retry.BaseInterval));
            json.WriteString("maxInterval", Durations.Format(retry.EffectiveMaxInterval));
            json.WriteString("retriableStatusCodes", string.Join(',', retry.RetriableStatusCodes.Select(c => c.ToString(CultureInfo.InvariantCulture))));
            json.WriteStartArray("retriableHeaders");
            foreach (var header in retry.RetriableHeaders)
            {
                json.WriteStringValue(header.Name);
            }
            json.WriteEndArray();
            json.WriteBoolean("avoidPreviousHosts", retry.AvoidPreviousHosts);
            json.WriteNumber("hostSelectionRetryMaxAttempts", retry.HostSelectionRetryMaxAttempts);
            json.WriteEndObject();
        }
        if (hedge is not null)
        {
            json.WriteStartObject("hedgePolicy");
            json.WriteBoolean("hedgeOnPerTryTimeout", hedge.HedgeOnPerTryTimeout);
            if (hedge.Adaptive is { } adaptive)
            {
                json.WriteStartObject("adaptive");
                json.WriteNumber("percentile", adaptive.Percentile);
                json.WriteString("minDelay", Durations.Format(adaptive.MinDelay));
                json.WriteNumber("budgetPercent", adaptive.BudgetPercent);
                json.WriteNumber("minSamples", adaptive.MinSamples);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
    }
}

using System.Globalization;
using MeshProxy.Utilities;

namespace MeshProxy.Configuration.Yaml;

/// <summary>Reads retry and hedge policies and circuit breakers.</summary>
internal static class ResilienceConfigReader
{
    /// <summary>Envoy's retry_on names.</summary>
    private static readonly Dictionary<string, RetryOn> Conditions = new(StringComparer.Ordinal)
    {
        ["5xx"] = RetryOn.FiveXx,
        ["gateway-error"] = RetryOn.GatewayError,
        ["reset"] = RetryOn.Reset,
        ["reset-before-request"] = RetryOn.ResetBeforeRequest,
        ["connect-failure"] = RetryOn.ConnectFailure,
        ["retriable-4xx"] = RetryOn.Retriable4xx,
        ["refused-stream"] = RetryOn.RefusedStream,
        ["retriable-status-codes"] = RetryOn.RetriableStatusCodes,
        ["retriable-headers"] = RetryOn.RetriableHeaders,
    };

    public static RetryPolicyConfig ReadRetryPolicy(YamlMappingReader map)
    {
        var defaults = new RetryPolicyConfig();
        var policy = new RetryPolicyConfig
        {
            RetryOn = ReadRetryOn(map),
            NumRetries = map.Int("numRetries", defaults.NumRetries, 0, 100),
            PerTryTimeout = map.Duration("perTryTimeout", TimeSpan.Zero),
            BaseInterval = map.Duration("baseInterval", defaults.BaseInterval, min: TimeSpan.FromMilliseconds(1)),
            MaxInterval = map.Has("maxInterval") ? map.Duration("maxInterval", TimeSpan.Zero, min: TimeSpan.FromMilliseconds(1)) : null,
            RetriableStatusCodes = map.ValueList<int>("retriableStatusCodes", StatusCode),
            RetriableHeaders = map.MappingList("retriableHeaders", RouteTableConfigReader.ReadHeaderMatch),
            AvoidPreviousHosts = map.Bool("avoidPreviousHosts", defaults.AvoidPreviousHosts),
            HostSelectionRetryMaxAttempts = map.Int("hostSelectionRetryMaxAttempts", defaults.HostSelectionRetryMaxAttempts, 0, 100),
        };
        map.ReportUnknownKeys();
        return policy;
    }

    public static HedgePolicyConfig ReadHedgePolicy(YamlMappingReader map)
    {
        var policy = new HedgePolicyConfig
        {
            HedgeOnPerTryTimeout = map.Bool("hedgeOnPerTryTimeout", false),
            Adaptive = map.Mapping("adaptive") is { } adaptive ? ReadAdaptive(adaptive) : null,
        };
        map.ReportUnknownKeys();
        return policy;
    }

    public static CircuitBreakersConfig ReadCircuitBreakers(YamlMappingReader map)
    {
        var breakers = new CircuitBreakersConfig
        {
            Thresholds = map.MappingList("thresholds", ReadThresholds),
        };
        map.ReportUnknownKeys();
        return breakers;
    }

    private static CircuitBreakerThresholdsConfig ReadThresholds(YamlMappingReader map)
    {
        var defaults = CircuitBreakerThresholdsConfig.Default;
        var thresholds = new CircuitBreakerThresholdsConfig
        {
            Priority = map.Enum("priority", RoutingPriority.Default),
            MaxConnections = map.Int("maxConnections", defaults.MaxConnections, 1, int.MaxValue),
            MaxPendingRequests = map.Int("maxPendingRequests", defaults.MaxPendingRequests, 0, int.MaxValue),
            MaxRequests = map.Int("maxRequests", defaults.MaxRequests, 1, int.MaxValue),
            MaxRetries = map.Int("maxRetries", defaults.MaxRetries, 0, int.MaxValue),
            RetryBudget = map.Mapping("retryBudget") is { } budget ? ReadBudget(budget) : null,
        };
        map.ReportUnknownKeys();
        return thresholds;
    }

    private static RetryBudgetConfig ReadBudget(YamlMappingReader map)
    {
        var defaults = new RetryBudgetConfig();
        var budget = new RetryBudgetConfig
        {
            BudgetPercent = Percent(map, "budgetPercent", defaults.BudgetPercent),
            MinRetryConcurrency = map.Int("minRetryConcurrency", defaults.MinRetryConcurrency, 0, int.MaxValue),
        };
        map.ReportUnknownKeys();
        return budget;
    }

    private static AdaptiveHedgeConfig ReadAdaptive(YamlMappingReader map)
    {
        var defaults = new AdaptiveHedgeConfig();
        var adaptive = new AdaptiveHedgeConfig
        {
            Percentile = Percent(map, "percentile", defaults.Percentile, min: 50, max: 99.9),
            MinDelay = map.Duration("minDelay", defaults.MinDelay),
            BudgetPercent = Percent(map, "budgetPercent", defaults.BudgetPercent),
            MinSamples = map.Int("minSamples", defaults.MinSamples, 1, 1_000_000),
        };
        map.ReportUnknownKeys();
        return adaptive;
    }

    /// <summary>retryOn: a list of Envoy's names, or one comma-separated string as in x-envoy-retry-on.</summary>
    private static RetryOn ReadRetryOn(YamlMappingReader map)
    {
        if (map.Take("retryOn") is not { } node)
        {
            map.Diagnostics.Error(map.ChildPath("retryOn"), $"is required: one or more of {string.Join(", ", Conditions.Keys)}");
            return RetryOn.None;
        }
        var names = node.Node is YamlDotNet.RepresentationModel.YamlSequenceNode sequence
            ? sequence.Children.Select(c => c.ToString()).ToArray()
            : node.AsString()?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [];
        var conditions = RetryOn.None;
        foreach (var name in names)
        {
            if (Conditions.TryGetValue(name, out var condition))
            {
                conditions |= condition;
            }
            else
            {
                node.Error($"'{name}' is not a retry condition; use {string.Join(", ", Conditions.Keys)}");
            }
        }
        return conditions;
    }

    private static int? StatusCode(YamlNodeReader item)
    {
        if (item.AsString() is { } text && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 100 and <= 599)
        {
            return code;
        }
        item.Error("is not an HTTP status code (100-599)");
        return null;
    }

    private static double Percent(YamlMappingReader map, string key, double defaultValue, double min = 0, double max = 100)
    {
        if (map.Take(key) is not { } node || node.AsString() is not { } text)
        {
            return defaultValue;
        }
        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            node.Error($"'{text}' is not a percentage from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
            return defaultValue;
        }
        return value;
    }
}

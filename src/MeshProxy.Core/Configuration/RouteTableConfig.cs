using MeshProxy.Utilities;

namespace MeshProxy.Configuration;

/// <summary>A named set of virtual hosts (Envoy's RouteConfiguration).</summary>
public sealed record RouteTableConfig
{
    public required string Name { get; init; }

    public EquatableArray<VirtualHostConfig> VirtualHosts { get; init; } = EquatableArray<VirtualHostConfig>.Empty;
}

/// <summary>
/// Routes for a set of domains, matched against Host or :authority (Envoy's VirtualHost).
/// Domains are exact ("api.example.com", "api:8080"), suffix wildcards ("*.example.com"),
/// prefix wildcards ("api.*"), or "*". The most specific match wins, as in Envoy.
/// </summary>
public sealed record VirtualHostConfig
{
    public required string Name { get; init; }

    public EquatableArray<string> Domains { get; init; } = EquatableArray<string>.Empty;

    /// <summary>Routes, tried in order; the first match wins.</summary>
    public EquatableArray<RouteConfig> Routes { get; init; } = EquatableArray<RouteConfig>.Empty;

    /// <summary>The retry policy of routes that set none.</summary>
    public RetryPolicyConfig? RetryPolicy { get; init; }

    /// <summary>The hedge policy of routes that set none.</summary>
    public HedgePolicyConfig? HedgePolicy { get; init; }

    /// <summary>Send x-envoy-attempt-count upstream (1 on the first attempt, +1 per retry or hedge). Default false.</summary>
    public bool IncludeAttemptCount { get; init; }
}

/// <summary>One route: a match and where matching requests go (Envoy's Route with a RouteAction).</summary>
public sealed record RouteConfig
{
    /// <summary>Optional name, for logs and the config dump.</summary>
    public string? Name { get; init; }

    public RouteMatchConfig Match { get; init; } = new();

    /// <summary>The single cluster requests go to. Exactly one of Cluster, WeightedClusters and DirectResponse is set.</summary>
    public string? Cluster { get; init; }

    /// <summary>A weighted split across clusters; each request picks one in proportion to weight.</summary>
    public EquatableArray<WeightedClusterConfig> WeightedClusters { get; init; } = EquatableArray<WeightedClusterConfig>.Empty;

    /// <summary>Answer matching requests directly with this status and body, without an upstream.</summary>
    public DirectResponseConfig? DirectResponse { get; init; }

    /// <summary>
    /// The total upstream timeout, from the end of the downstream request to the end of the upstream response,
    /// covering all retries. Zero disables it. Default 15s (Envoy's route timeout). On expiry: 504, flag UT.
    /// </summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>A stream with no activity for this long is reset. Default 5m (Envoy's stream_idle_timeout).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The longest an upstream request may last, response body included (Envoy's max_stream_duration). Zero: no limit.
    /// On expiry before the response: 504 (408 if the request was still arriving), flag UMSDR; after, the stream is reset.
    /// </summary>
    public TimeSpan MaxStreamDuration { get; init; }

    /// <summary>Retries; null: the virtual host's, else none.</summary>
    public RetryPolicyConfig? RetryPolicy { get; init; }

    /// <summary>Hedging; null: the virtual host's, else none.</summary>
    public HedgePolicyConfig? HedgePolicy { get; init; }

    /// <summary>
    /// How much of a request body is kept for replay by retries and hedges (Envoy's per_request_buffer_limit_bytes).
    /// A larger body is not retried, and that is counted. Default 1 MiB.
    /// </summary>
    public int BufferLimitBytes { get; init; } = 1024 * 1024;

    /// <summary>Send x-envoy-expected-rq-timeout-ms upstream: how long the proxy will wait for this attempt. Default false.</summary>
    public bool ExpectedTimeoutHeader { get; init; }

    /// <summary>Which of the cluster's circuit-breaker thresholds apply (Envoy's RouteAction.priority). Default: default.</summary>
    public RoutingPriority Priority { get; init; }
}

/// <summary>
/// What a request must look like to take a route. Exactly one of Prefix and Path; all Headers must match.
/// </summary>
public sealed record RouteMatchConfig
{
    /// <summary>The path must start with this. Default "/" when neither prefix nor path is given.</summary>
    public string? Prefix { get; init; }

    /// <summary>The path (without the query string) must equal this.</summary>
    public string? Path { get; init; }

    /// <summary>Whether prefix and path compare case-sensitively. Default true (Envoy's case_sensitive).</summary>
    public bool CaseSensitive { get; init; } = true;

    public EquatableArray<HeaderMatchConfig> Headers { get; init; } = EquatableArray<HeaderMatchConfig>.Empty;
}

/// <summary>
/// A header condition (Envoy's HeaderMatcher). Exactly one of Exact, Prefix, Present; Invert negates it.
/// A header with several values matches against the values joined by ",", as in Envoy.
/// </summary>
public sealed record HeaderMatchConfig
{
    public required string Name { get; init; }

    public string? Exact { get; init; }

    public string? Prefix { get; init; }

    public bool? Present { get; init; }

    public bool Invert { get; init; }
}

/// <summary>One arm of a weighted split.</summary>
public sealed record WeightedClusterConfig
{
    public required string Cluster { get; init; }

    /// <summary>A relative weight (0 disables the arm); the arms need not sum to 100.</summary>
    public required int Weight { get; init; }
}

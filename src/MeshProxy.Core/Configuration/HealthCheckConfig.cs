using MeshProxy.Utilities;

namespace MeshProxy.Configuration;

/// <summary>
/// Active health checking of a cluster's endpoints (Envoy's HealthCheck): every endpoint is probed on its own
/// schedule over HTTP or TCP, and thresholds of consecutive results move it in and out of load balancing.
/// Exactly one of <see cref="Http"/> and <see cref="Tcp"/> is set. docs/load-balancing.md has the rules.
/// </summary>
public sealed record HealthCheckConfig
{
    /// <summary>Time between two checks of one endpoint. Required in Envoy; meshproxy defaults to 5s.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a check may take before it counts as a (network) failure. Required in Envoy; default 1s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Consecutive network failures (no connection, timeout) that mark a healthy endpoint unhealthy. An HTTP answer
    /// with an unexpected status marks it unhealthy at once, as in Envoy. Required in Envoy; default 3.
    /// </summary>
    public int UnhealthyThreshold { get; init; } = 3;

    /// <summary>
    /// Consecutive successes that bring an unhealthy endpoint back. An endpoint's very first check brings it back
    /// at once, as in Envoy. Required in Envoy; default 2.
    /// </summary>
    public int HealthyThreshold { get; init; } = 2;

    /// <summary>
    /// The interval used while the cluster has never carried a request or connection (Envoy's no_traffic_interval),
    /// so idle clusters are probed rarely. Default 60s (Envoy's).
    /// </summary>
    public TimeSpan NoTrafficInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A random delay from 0 to this before an endpoint's first check (Envoy's initial_jitter). Default 0s.</summary>
    public TimeSpan InitialJitter { get; init; } = TimeSpan.Zero;

    /// <summary>An HTTP/1.1 GET to every endpoint. Null unless this is an HTTP check.</summary>
    public HttpHealthCheckConfig? Http { get; init; }

    /// <summary>A TCP connect, optionally with bytes sent and expected. Null unless this is a TCP check.</summary>
    public TcpHealthCheckConfig? Tcp { get; init; }
}

/// <summary>An HTTP health check (Envoy's HttpHealthCheck).</summary>
public sealed record HttpHealthCheckConfig
{
    /// <summary>The request path, starting with '/'. Required.</summary>
    public required string Path { get; init; }

    /// <summary>The Host header. Default: the cluster's name, as in Envoy.</summary>
    public string? Host { get; init; }

    /// <summary>
    /// Statuses that count as healthy, as half-open ranges [start, end). Default: 200 only, Envoy's default (a list
    /// replaces it, so write 200 explicitly when it should stay healthy).
    /// </summary>
    public EquatableArray<StatusRange> ExpectedStatuses { get; init; } = DefaultExpectedStatuses;

    public static EquatableArray<StatusRange> DefaultExpectedStatuses { get; } = new StatusRange[] { new(200, 201) };
}

/// <summary>A range of HTTP statuses, start included and end excluded (Envoy's Int64Range).</summary>
public readonly record struct StatusRange(int Start, int End)
{
    public bool Contains(int status) => status >= Start && status < End;

    public override string ToString() => End == Start + 1 ? $"{Start}" : $"{Start}-{End - 1}";
}

/// <summary>A TCP health check (Envoy's TcpHealthCheck): connect, then optionally send bytes and wait for others.</summary>
public sealed record TcpHealthCheckConfig
{
    public static TcpHealthCheckConfig ConnectOnly { get; } = new();

    /// <summary>Bytes written after connecting. Default: none (connect-only).</summary>
    public EquatableArray<byte> Send { get; init; } = EquatableArray<byte>.Empty;

    /// <summary>
    /// Byte blocks that must all arrive, in this order but not necessarily next to each other (Envoy's fuzzy match).
    /// Default: none, so a completed connect (and send) is a success.
    /// </summary>
    public EquatableArray<EquatableArray<byte>> Receive { get; init; } = EquatableArray<EquatableArray<byte>>.Empty;
}

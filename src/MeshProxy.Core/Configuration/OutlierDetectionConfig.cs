namespace MeshProxy.Configuration;

/// <summary>
/// Passive health checking (Envoy's OutlierDetection): endpoints whose real requests fail are ejected from load
/// balancing for a while. Every field has Envoy's default; percentages are whole percent. docs/load-balancing.md has
/// the rules, including where Envoy's code and docs differ.
/// </summary>
public sealed record OutlierDetectionConfig
{
    public static OutlierDetectionConfig Default { get; } = new();

    /// <summary>Consecutive 5xx (local-origin failures included unless split) that eject an endpoint. Default 5.</summary>
    public int Consecutive5xx { get; init; } = 5;

    /// <summary>Consecutive 502/503/504 (local-origin failures included unless split) that eject. Default 5.</summary>
    public int ConsecutiveGatewayFailure { get; init; } = 5;

    /// <summary>Consecutive local-origin failures that eject; only with <see cref="SplitExternalLocalOriginErrors"/>. Default 5.</summary>
    public int ConsecutiveLocalOriginFailure { get; init; } = 5;

    /// <summary>Time between ejection sweeps: success-rate and failure-percentage checks and unejections. Default 10s.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>An ejection lasts this times the endpoint's ejection count, up to <see cref="MaxEjectionTime"/>. Default 30s.</summary>
    public TimeSpan BaseEjectionTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest an ejection lasts. Null: 300s, or <see cref="BaseEjectionTime"/> when that is longer (Envoy).</summary>
    public TimeSpan? MaxEjectionTime { get; init; }

    /// <summary>A random extra ejection time from 0 to this, drawn per ejection. Default 0s.</summary>
    public TimeSpan MaxEjectionTimeJitter { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// At most this percent of the cluster's endpoints may be ejected: an ejection needs 100 × (ejected + 1) / endpoints
    /// ≤ this (Envoy ≥ 1.27), so with the default no endpoint of a cluster under 10 endpoints is ever ejected. Default 10.
    /// </summary>
    public int MaxEjectionPercent { get; init; } = 10;

    /// <summary>Allow one ejection whatever <see cref="MaxEjectionPercent"/> says, when none is active. Default false.</summary>
    public bool AlwaysEjectOneHost { get; init; }

    /// <summary>Percent chance that a consecutive-5xx detection is enforced. Default 100.</summary>
    public int EnforcingConsecutive5xx { get; init; } = 100;

    /// <summary>Percent chance that a consecutive-gateway-failure detection is enforced. Default 0 (detected, counted, not enforced).</summary>
    public int EnforcingConsecutiveGatewayFailure { get; init; }

    /// <summary>Percent chance that a consecutive-local-origin-failure detection is enforced. Default 100.</summary>
    public int EnforcingConsecutiveLocalOriginFailure { get; init; } = 100;

    /// <summary>Percent chance that a success-rate detection is enforced. Default 100.</summary>
    public int EnforcingSuccessRate { get; init; } = 100;

    /// <summary>Percent chance that a local-origin success-rate detection is enforced (split mode). Default 100.</summary>
    public int EnforcingLocalOriginSuccessRate { get; init; } = 100;

    /// <summary>Fewest endpoints with enough requests in an interval for the success-rate check to run. Default 5.</summary>
    public int SuccessRateMinimumHosts { get; init; } = 5;

    /// <summary>Fewest requests an endpoint needs in an interval to take part in the success-rate check. Default 100.</summary>
    public int SuccessRateRequestVolume { get; init; } = 100;

    /// <summary>Eject below mean − (this / 1000) × standard deviation of the success rates. Default 1900 (1.9).</summary>
    public int SuccessRateStdevFactor { get; init; } = 1900;

    /// <summary>Eject an endpoint whose failure percentage in an interval is at least this. Default 85.</summary>
    public int FailurePercentageThreshold { get; init; } = 85;

    /// <summary>Percent chance that a failure-percentage detection is enforced. Default 0.</summary>
    public int EnforcingFailurePercentage { get; init; }

    /// <summary>Percent chance that a local-origin failure-percentage detection is enforced (split mode). Default 0.</summary>
    public int EnforcingFailurePercentageLocalOrigin { get; init; }

    /// <summary>Fewest endpoints with enough requests for the failure-percentage check to run. Default 5.</summary>
    public int FailurePercentageMinimumHosts { get; init; } = 5;

    /// <summary>Fewest requests an endpoint needs in an interval to take part in the failure-percentage check. Default 50.</summary>
    public int FailurePercentageRequestVolume { get; init; } = 50;

    /// <summary>
    /// Count local-origin failures (connect failures, timeouts, resets) apart from the upstream's own 5xx, with their
    /// own consecutive and success-rate detectors. Default false: they count as 503/504.
    /// </summary>
    public bool SplitExternalLocalOriginErrors { get; init; }

    /// <summary>A successful active health check returns an ejected endpoint at once. Default true.</summary>
    public bool SuccessfulActiveHealthCheckUnejectHost { get; init; } = true;

    /// <summary>The effective maximum ejection time: the configured one, else max(300s, base ejection time).</summary>
    public TimeSpan EffectiveMaxEjectionTime => MaxEjectionTime ?? (BaseEjectionTime > DefaultMaxEjectionTime ? BaseEjectionTime : DefaultMaxEjectionTime);

    public static TimeSpan DefaultMaxEjectionTime { get; } = TimeSpan.FromSeconds(300);
}

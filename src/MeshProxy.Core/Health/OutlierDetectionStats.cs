namespace MeshProxy.Health;

/// <summary>
/// Envoy's outlier-detection stats for one cluster (cluster.&lt;name&gt;.outlier_detection.*). Thread-safe. A detection
/// is counted as detected even when the enforcing percentage or the ejection limit keeps it from being enforced.
/// </summary>
public sealed class OutlierDetectionStats
{
    private static readonly string[] Suffixes =
    [
        "consecutive_5xx",
        "consecutive_gateway_failure",
        "consecutive_local_origin_failure",
        "success_rate",
        "local_origin_success_rate",
        "failure_percentage",
        "local_origin_failure_percentage",
    ];

    private readonly long[] _detected = new long[Suffixes.Length];
    private readonly long[] _enforced = new long[Suffixes.Length];
    private long _enforcedTotal;
    private long _overflow;
    private long _active;
    private volatile bool _enabled;

    /// <summary>Every ejection type, in Envoy's stat order.</summary>
    public static IReadOnlyList<OutlierEjectionType> Types { get; } = Enum.GetValues<OutlierEjectionType>();

    /// <summary>The stat name part of a type: ejections_detected_&lt;suffix&gt;, ejections_enforced_&lt;suffix&gt;.</summary>
    public static string Suffix(OutlierEjectionType type) => Suffixes[(int)type];

    /// <summary>Whether the cluster has (or had) outlier detection, so the stats mean something.</summary>
    public bool IsEnabled => _enabled;

    /// <summary>ejections_enforced_total: ejections that happened.</summary>
    public long EjectionsEnforcedTotal => Interlocked.Read(ref _enforcedTotal);

    /// <summary>ejections_overflow: ejections refused by maxEjectionPercent.</summary>
    public long EjectionsOverflow => Interlocked.Read(ref _overflow);

    /// <summary>ejections_active (gauge): endpoints ejected now.</summary>
    public long EjectionsActive => Interlocked.Read(ref _active);

    /// <summary>ejections_detected_&lt;type&gt;.</summary>
    public long Detected(OutlierEjectionType type) => Interlocked.Read(ref _detected[(int)type]);

    /// <summary>ejections_enforced_&lt;type&gt;.</summary>
    public long Enforced(OutlierEjectionType type) => Interlocked.Read(ref _enforced[(int)type]);

    internal void Enable() => _enabled = true;

    internal void OnDetected(OutlierEjectionType type) => Interlocked.Increment(ref _detected[(int)type]);

    internal void OnEnforced(OutlierEjectionType type)
    {
        Interlocked.Increment(ref _enforcedTotal);
        Interlocked.Increment(ref _enforced[(int)type]);
    }

    internal void OnOverflow() => Interlocked.Increment(ref _overflow);

    internal void SetActive(long active) => Interlocked.Exchange(ref _active, active);
}

namespace MeshProxy.Resilience;

/// <summary>
/// Envoy's JitteredExponentialBackOffStrategy, exactly: the n-th delay is uniform in [0, b) where b starts at the
/// base interval and doubles while under half the maximum, then stays at the maximum. With Envoy's defaults (25 ms,
/// 250 ms) the bounds are 25, 50, 100, 200, 250, 250 ms... One per request.
/// </summary>
public sealed class JitteredBackOff
{
    private readonly long _maxMilliseconds;
    private readonly Random _random;
    private long _nextMilliseconds;

    public JitteredBackOff(TimeSpan baseInterval, TimeSpan maxInterval, Random random)
    {
        // Envoy rounds a base under 1 ms up to 1 ms.
        _nextMilliseconds = Math.Max(1, (long)baseInterval.TotalMilliseconds);
        _maxMilliseconds = Math.Max(_nextMilliseconds, (long)maxInterval.TotalMilliseconds);
        _random = random;
    }

    /// <summary>The exclusive upper bound of the next delay, before it is drawn.</summary>
    public TimeSpan NextBound => TimeSpan.FromMilliseconds(_nextMilliseconds);

    public TimeSpan Next()
    {
        var bound = _nextMilliseconds;
        _nextMilliseconds = _nextMilliseconds < _maxMilliseconds / 2 ? _nextMilliseconds * 2 : _maxMilliseconds;
        return TimeSpan.FromMilliseconds(_random.NextInt64(bound));
    }
}

namespace MeshProxy.Resilience;

/// <summary>
/// What adaptive hedging needs from a cluster: recent attempt latencies (time to response headers) for a percentile,
/// and a budget that lets only a share of requests hedge. The latencies are a ring of the last 512 attempts; the
/// percentile is recomputed every 64 samples. Thread-safe and allocation-free per sample.
/// </summary>
public sealed class AdaptiveHedgeTracker
{
    private const int Capacity = 512;
    private const int RecomputeEvery = 64;
    private const long TokenScale = 1000;
    private const long MaxTokens = 20 * TokenScale;

    private readonly int[] _samples = new int[Capacity];
    private readonly object _recompute = new();
    private long _count;
    private long _tokens;
    private double _cachedPercentile = double.NaN;
    private int _cachedMicroseconds;
    private long _cachedAt = -1;

    public long Samples => Interlocked.Read(ref _count);

    /// <summary>Records one attempt's time to response headers.</summary>
    public void Record(TimeSpan latency)
    {
        var index = Interlocked.Increment(ref _count) - 1;
        _samples[index % Capacity] = (int)Math.Min(int.MaxValue, latency.Ticks / 10);
    }

    /// <summary>The hedge delay for a request: the percentile of recent latencies, at least <paramref name="minimum"/>; null until enough samples.</summary>
    public TimeSpan? Delay(double percentile, TimeSpan minimum, int minSamples)
    {
        var count = Samples;
        if (count < minSamples)
        {
            return null;
        }
        var microseconds = Percentile(percentile, count);
        var delay = TimeSpan.FromTicks(microseconds * 10L);
        return delay < minimum ? minimum : delay;
    }

    /// <summary>Adds a request's share of hedges to the budget (budgetPercent of a hedge per request).</summary>
    public void CountRequest(double budgetPercent)
    {
        var add = (long)(budgetPercent / 100 * TokenScale);
        var current = Interlocked.Read(ref _tokens);
        while (current < MaxTokens)
        {
            var seen = Interlocked.CompareExchange(ref _tokens, Math.Min(MaxTokens, current + add), current);
            if (seen == current)
            {
                return;
            }
            current = seen;
        }
    }

    /// <summary>Takes one hedge from the budget; false when it is spent.</summary>
    public bool TrySpendHedge()
    {
        var current = Interlocked.Read(ref _tokens);
        while (current >= TokenScale)
        {
            var seen = Interlocked.CompareExchange(ref _tokens, current - TokenScale, current);
            if (seen == current)
            {
                return true;
            }
            current = seen;
        }
        return false;
    }

    private int Percentile(double percentile, long count)
    {
        lock (_recompute)
        {
            if (_cachedAt >= 0 && count - _cachedAt < RecomputeEvery && _cachedPercentile.Equals(percentile))
            {
                return _cachedMicroseconds;
            }
            var size = (int)Math.Min(count, Capacity);
            Span<int> sorted = stackalloc int[size];
            _samples.AsSpan(0, size).CopyTo(sorted);
            sorted.Sort();
            var rank = (int)Math.Ceiling(percentile / 100 * size) - 1;
            _cachedMicroseconds = sorted[Math.Clamp(rank, 0, size - 1)];
            _cachedPercentile = percentile;
            _cachedAt = count;
            return _cachedMicroseconds;
        }
    }
}

namespace MeshProxy.Health;

/// <summary>
/// Requests and successes of one endpoint per outlier-detection interval (Envoy's SuccessRateAccumulator): requests
/// count into the current bucket without locks; each interval tick zeroes the other bucket and swaps, so the bucket
/// just finished is what the success-rate and failure-percentage checks read.
/// </summary>
internal sealed class SuccessRateAccumulator
{
    // [bucket * 2] = total, [bucket * 2 + 1] = successes.
    private readonly long[] _counts = new long[4];
    private volatile int _current;

    public void Record(bool success)
    {
        var bucket = _current * 2;
        Interlocked.Increment(ref _counts[bucket]);
        if (success)
        {
            Interlocked.Increment(ref _counts[bucket + 1]);
        }
    }

    /// <summary>Starts a new interval: the current bucket becomes the one read, the other is zeroed and written.</summary>
    public void Swap()
    {
        var next = 1 - _current;
        Interlocked.Exchange(ref _counts[next * 2], 0);
        Interlocked.Exchange(ref _counts[next * 2 + 1], 0);
        _current = next;
    }

    /// <summary>The finished interval's success rate in percent and its request volume; null when it had no requests.</summary>
    public (double SuccessRate, long Volume)? Read()
    {
        var bucket = (1 - _current) * 2;
        var total = Interlocked.Read(ref _counts[bucket]);
        return total == 0 ? null : (Interlocked.Read(ref _counts[bucket + 1]) * 100.0 / total, total);
    }

    public void CopyFrom(SuccessRateAccumulator other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] = Interlocked.Read(ref other._counts[i]);
        }
        _current = other._current;
    }
}

using System.Collections.Concurrent;

namespace MeshProxy.Telemetry;

/// <summary>Counters keyed by a short reason label (e.g. TLS failure reasons). Thread-safe; reasons are few and fixed.</summary>
public sealed class ReasonCounters
{
    private readonly ConcurrentDictionary<string, Box> _counts = new(StringComparer.Ordinal);

    public void Increment(string reason) => Interlocked.Increment(ref _counts.GetOrAdd(reason, static _ => new Box()).Value);

    public long this[string reason] => _counts.TryGetValue(reason, out var box) ? Interlocked.Read(ref box.Value) : 0;

    public IEnumerable<(string Reason, long Count)> All => _counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => (c.Key, Interlocked.Read(ref c.Value.Value)));

    private sealed class Box
    {
        public long Value;
    }
}

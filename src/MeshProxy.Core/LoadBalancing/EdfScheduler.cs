namespace MeshProxy.LoadBalancing;

/// <summary>
/// Envoy's earliest-deadline-first scheduler (edf_scheduler.h): each item is due at now + 1 / weight; a pick takes
/// the earliest deadline (ties: the earlier insertion) and puts the item back with its next deadline. Over time
/// item i is picked weight_i / Σ weights of the time, smoothly interleaved. Items of weight 0 are left out.
/// A pick is O(log n) and allocates nothing. Not thread-safe: callers lock, or use it only while building.
/// </summary>
internal sealed class EdfScheduler
{
    private readonly Entry[] _heap;
    private readonly double[] _weights;
    private readonly Func<int, double>? _currentWeight;
    private int _count;
    private double _now;
    private long _order;

    /// <param name="weights">Each item's weight; items with weight 0 are never picked.</param>
    /// <param name="currentWeight">Gives an item's weight when it is put back (least request's active-request bias); null keeps <paramref name="weights"/>.</param>
    public EdfScheduler(ReadOnlySpan<double> weights, Func<int, double>? currentWeight = null)
    {
        _weights = weights.ToArray();
        _currentWeight = currentWeight;
        _heap = new Entry[weights.Length];
        for (var i = 0; i < weights.Length; i++)
        {
            if (weights[i] > 0)
            {
                Push(i, weights[i]);
            }
        }
    }

    public bool IsEmpty => _count == 0;

    /// <summary>
    /// One full weighted round of integer weights, in EDF order: item i appears weight_i / gcd times. Cycling over it
    /// reproduces the scheduler's sequence, which repeats after that many picks.
    /// </summary>
    public static int[] BuildCycle(ReadOnlySpan<int> weights)
    {
        var gcd = 0;
        foreach (var weight in weights)
        {
            gcd = Gcd(gcd, weight);
        }
        var reduced = new double[weights.Length];
        long period = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            reduced[i] = weights[i] / gcd;
            period += weights[i] / gcd;
        }
        var scheduler = new EdfScheduler(reduced);
        var cycle = new int[period];
        for (var k = 0; k < cycle.Length; k++)
        {
            cycle[k] = scheduler.PickAndAdd();
        }
        return cycle;
    }

    /// <summary>Takes the item with the earliest deadline and schedules its next turn; -1 when there is none.</summary>
    public int PickAndAdd()
    {
        if (_count == 0)
        {
            return -1;
        }
        var top = _heap[0];
        _now = top.Deadline;
        RemoveTop();
        var weight = _currentWeight?.Invoke(top.Item) ?? _weights[top.Item];
        Push(top.Item, weight > 0 ? weight : double.Epsilon);
        return top.Item;
    }

    private void Push(int item, double weight)
    {
        var entry = new Entry(_now + 1.0 / weight, _order++, item);
        var index = _count++;
        while (index > 0)
        {
            var parent = (index - 1) / 2;
            if (!entry.Before(_heap[parent]))
            {
                break;
            }
            _heap[index] = _heap[parent];
            index = parent;
        }
        _heap[index] = entry;
    }

    private void RemoveTop()
    {
        var last = _heap[--_count];
        var index = 0;
        while (true)
        {
            var child = (2 * index) + 1;
            if (child >= _count)
            {
                break;
            }
            if (child + 1 < _count && _heap[child + 1].Before(_heap[child]))
            {
                child++;
            }
            if (!_heap[child].Before(last))
            {
                break;
            }
            _heap[index] = _heap[child];
            index = child;
        }
        _heap[index] = last;
    }

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);

    private readonly record struct Entry(double Deadline, long Order, int Item)
    {
        public bool Before(Entry other) => Deadline < other.Deadline || (Deadline == other.Deadline && Order < other.Order);
    }
}

using System.Globalization;
using System.Text;
using MeshProxy.Configuration;
using MeshProxy.Upstream;

namespace MeshProxy.LoadBalancing;

/// <summary>
/// Envoy's RING_HASH (ketama): each host gets scale × share points, point k hashed as xxHash64("ip:port_k"); the
/// ring is sorted, and a request goes to the first point at or after its hash, wrapping around. scale makes the
/// lightest host whole: min(ceil(min share × minimumRingSize) / min share, maximumRingSize). A pick is a binary
/// search, O(log ring), allocation-free. Removing a host moves only the requests that hashed to its points.
/// </summary>
internal sealed class RingHashEndpointPicker : IEndpointPicker
{
    private readonly EndpointState[] _hosts;
    private readonly ulong[] _hashes;
    private readonly int[] _owners;

    public RingHashEndpointPicker(EndpointPickerInputs inputs)
    {
        _hosts = inputs.Hosts;
        var config = inputs.Config.RingHash ?? RingHashConfig.Default;
        if (_hosts.Length == 0)
        {
            _hashes = [];
            _owners = [];
            return;
        }
        var minWeight = inputs.Weights.Min();
        var scale = Math.Min(Math.Ceiling(minWeight * config.MinimumRingSize) / minWeight, config.MaximumRingSize);
        var points = new List<(ulong Hash, int Owner)>((int)Math.Ceiling(scale));
        double current = 0, target = 0;
        Span<byte> key = stackalloc byte[128];
        for (var h = 0; h < _hosts.Length; h++)
        {
            var prefix = Encoding.UTF8.GetBytes(_hosts[h].AddressText + "_", key);
            target += scale * inputs.Weights[h];
            for (long i = 0; current < target; i++, current++)
            {
                i.TryFormat(key[prefix..], out var digits, default, CultureInfo.InvariantCulture);
                points.Add((XxHash64.Hash(key[..(prefix + digits)]), h));
            }
        }
        points.Sort((a, b) => a.Hash.CompareTo(b.Hash));
        _hashes = points.Select(p => p.Hash).ToArray();
        _owners = points.Select(p => p.Owner).ToArray();
    }

    public int RingSize => _hashes.Length;

    public EndpointState? Pick(in LoadBalancerContext context, ulong hash, int attempt)
    {
        if (_hashes.Length == 0)
        {
            return null;
        }
        var index = FirstPointAtOrAfter(hash);
        // A retry that must avoid a host walks on round the ring, as Envoy does.
        if (attempt > 0)
        {
            index = (int)(((long)index + attempt) % _hashes.Length);
        }
        return _hosts[_owners[index]];
    }

    public void WriteShares(Span<double> shares)
    {
        shares.Clear();
        const double HashSpace = 18446744073709551616.0;
        for (var i = 0; i < _hashes.Length; i++)
        {
            // Point i takes the hashes after the previous point up to itself; point 0 also takes those past the last.
            var arc = i == 0
                ? (double)_hashes[0] + (ulong.MaxValue - _hashes[^1]) + 1
                : _hashes[i] - _hashes[i - 1];
            shares[_owners[i]] += arc / HashSpace;
        }
    }

    /// <summary>Envoy's ketama search: the point p with ring[p-1] &lt; hash ≤ ring[p]; 0 past the end.</summary>
    private int FirstPointAtOrAfter(ulong hash)
    {
        long low = 0, high = _hashes.Length;
        while (true)
        {
            var middle = (low + high) / 2;
            if (middle == _hashes.Length)
            {
                return 0;
            }
            var value = _hashes[middle];
            var previous = middle == 0 ? 0 : _hashes[middle - 1];
            if (hash <= value && hash > previous)
            {
                return (int)middle;
            }
            if (value < hash)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
            if (low > high)
            {
                return 0;
            }
        }
    }
}

using MeshProxy.Configuration;
using MeshProxy.Upstream;

namespace MeshProxy.LoadBalancing;

/// <summary>
/// Envoy's MAGLEV: a prime-sized lookup table filled by each host's permutation (offset xxHash64(key) % M, skip
/// xxHash64(key, seed 1) % (M − 1) + 1), hosts taking turns in proportion to weight, in the order of their
/// "ip:port" keys. A pick is table[hash % M]: O(1), allocation-free. Removing a host moves few other entries.
/// </summary>
internal sealed class MaglevEndpointPicker : IEndpointPicker
{
    private readonly EndpointState[] _hosts;
    private readonly int[] _table;

    public MaglevEndpointPicker(EndpointPickerInputs inputs)
    {
        _hosts = inputs.Hosts;
        var size = (inputs.Config.Maglev ?? MaglevConfig.Default).TableSize;
        _table = _hosts.Length == 0 ? [] : Build(inputs, size);
    }

    public int TableSize => _table.Length;

    public EndpointState? Pick(in LoadBalancerContext context, ulong hash, int attempt)
    {
        if (_table.Length == 0)
        {
            return null;
        }
        if (attempt > 0)
        {
            // Envoy flips most bits for a retry so that attempts spread over the table.
            hash ^= ulong.MaxValue - (ulong)attempt + 1;
        }
        return _hosts[_table[hash % (ulong)_table.Length]];
    }

    public void WriteShares(Span<double> shares)
    {
        shares.Clear();
        foreach (var owner in _table)
        {
            shares[owner] += 1.0 / _table.Length;
        }
    }

    private static int[] Build(EndpointPickerInputs inputs, int size)
    {
        var order = Enumerable.Range(0, inputs.Hosts.Length).OrderBy(i => inputs.Hosts[i].AddressText, StringComparer.Ordinal).ToArray();
        var entries = order.Select(i => new Entry(
            i,
            XxHash64.HashUtf8(inputs.Hosts[i].AddressText) % (ulong)size,
            (XxHash64.HashUtf8(inputs.Hosts[i].AddressText, seed: 1) % (ulong)(size - 1)) + 1,
            inputs.Weights[i])).ToArray();
        var maxWeight = inputs.Weights.Max();
        var table = new int[size];
        Array.Fill(table, -1);
        var filled = 0;
        for (var iteration = 1; filled < size; iteration++)
        {
            for (var e = 0; e < entries.Length && filled < size; e++)
            {
                ref var entry = ref entries[e];
                // A host of weight w takes a slot on iterations where iteration × w has caught up with its target.
                if (iteration * entry.Weight < entry.Target)
                {
                    continue;
                }
                entry.Target += maxWeight;
                var slot = entry.Permutation(size);
                while (table[slot] >= 0)
                {
                    entry.Next++;
                    slot = entry.Permutation(size);
                }
                table[slot] = entry.Host;
                entry.Next++;
                filled++;
            }
        }
        return table;
    }

    private struct Entry(int host, ulong offset, ulong skip, double weight)
    {
        public readonly int Host = host;
        public readonly double Weight = weight;
        public double Target;
        public ulong Next;

        public readonly ulong Permutation(int size) => (offset + (skip * Next)) % (ulong)size;
    }
}

using MeshProxy.Configuration;
using MeshProxy.LoadBalancing;
using MeshProxy.Upstream;

namespace MeshProxy.Tests.LoadBalancing;

/// <summary>Builds single pickers over a host list and counts their picks.</summary>
internal static class PickerTestSupport
{
    public static IEndpointPicker Picker(string policy, EndpointState[] hosts, LoadBalancerConfig? config = null, ulong seed = 0, bool normalize = false)
    {
        var weights = hosts.Select(h => (double)h.Weight).ToArray();
        if (normalize)
        {
            var total = weights.Sum();
            weights = weights.Select(w => w / total).ToArray();
        }
        return EndpointPickerFactory.Create(policy, new EndpointPickerInputs(hosts, weights, config ?? LoadBalancerConfig.Default, seed));
    }

    public static int[] Count(IEndpointPicker picker, EndpointState[] hosts, int picks, int seed = 7)
    {
        var random = new Random(seed);
        var counts = new int[hosts.Length];
        for (var i = 0; i < picks; i++)
        {
            var context = new LoadBalancerContext(random);
            var host = picker.Pick(context, context.NextRandom(), 0)!;
            counts[Array.IndexOf(hosts, host)]++;
        }
        return counts;
    }

    /// <summary>
    /// Hashes random keys through two pickers, before and after <paramref name="removed"/> left: how many keys of the
    /// other hosts stayed where they were and how many moved. Keys of the removed host must all move.
    /// </summary>
    public static (int Kept, int Moved) KeysMovedByRemoval(IEndpointPicker before, IEndpointPicker after, EndpointState removed, int keys)
    {
        var context = new LoadBalancerContext(new Random(1));
        var random = new Random(3);
        int kept = 0, moved = 0;
        for (var i = 0; i < keys; i++)
        {
            var hash = unchecked((ulong)random.NextInt64(long.MinValue, long.MaxValue));
            var was = before.Pick(context, hash, 0);
            var now = after.Pick(context, hash, 0);
            if (was == removed)
            {
                Xunit.Assert.NotSame(was, now);
            }
            else if (was == now)
            {
                kept++;
            }
            else
            {
                moved++;
            }
        }
        return (kept, moved);
    }

    public static double[] Shares(IEndpointPicker picker, int hosts)
    {
        var shares = new double[hosts];
        picker.WriteShares(shares);
        return shares;
    }
}

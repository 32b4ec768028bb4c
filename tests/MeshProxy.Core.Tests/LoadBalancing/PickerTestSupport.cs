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

    public static double[] Shares(IEndpointPicker picker, int hosts)
    {
        var shares = new double[hosts];
        picker.WriteShares(shares);
        return shares;
    }
}

using MeshProxy.Upstream;

namespace MeshProxy.LoadBalancing;

/// <summary>One host list a pick can draw from (Envoy's HostsSource) with the picker built over it.</summary>
internal sealed class HostSource
{
    public HostSource(EndpointState[] hosts, IEndpointPicker picker)
    {
        Hosts = hosts;
        Picker = picker;
    }

    public EndpointState[] Hosts { get; }

    public IEndpointPicker Picker { get; }

    /// <summary>Adds <paramref name="share"/> of all requests, split as this picker splits them; an empty list routes nothing.</summary>
    public void AddShares(TrafficShareAccumulator shares, double share)
    {
        if (share <= 0)
        {
            return;
        }
        if (Hosts.Length == 0)
        {
            shares.Unrouted += share;
            return;
        }
        Span<double> split = Hosts.Length <= 256 ? stackalloc double[Hosts.Length] : new double[Hosts.Length];
        Picker.WriteShares(split);
        for (var i = 0; i < Hosts.Length; i++)
        {
            shares.Add(Hosts[i], share * split[i]);
        }
    }
}

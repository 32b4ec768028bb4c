using MeshProxy.Upstream;

namespace MeshProxy.LoadBalancing;

/// <summary>
/// One host list a pick can draw from (Envoy's HostsSource) and its picker. The picker is built on first use: most
/// sources of a rebuild (all hosts for panic, degraded hosts, other localities) are never picked from, so a health
/// change only pays for the lists, loads and locality weights. Two threads racing on first use may both build one;
/// the first stored wins.
/// </summary>
internal sealed class HostSource
{
    private readonly Func<EndpointState[], IEndpointPicker> _createPicker;
    private IEndpointPicker? _picker;

    public HostSource(EndpointState[] hosts, Func<EndpointState[], IEndpointPicker> createPicker)
    {
        Hosts = hosts;
        _createPicker = createPicker;
    }

    public EndpointState[] Hosts { get; }

    public IEndpointPicker Picker => Volatile.Read(ref _picker) ?? CreatePicker();

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

    private IEndpointPicker CreatePicker()
    {
        var created = _createPicker(Hosts);
        return Interlocked.CompareExchange(ref _picker, created, null) ?? created;
    }
}

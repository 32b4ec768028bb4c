using System.Text;
using MeshProxy.Listeners;
using MeshProxy.Tls;
using MeshProxy.Utilities;

namespace MeshProxy.Gateway;

/// <summary>
/// Where a server name leads on a tls listener: a filter chain whose tcp target is the cluster, the ALPN protocols the
/// client must offer (Envoy's application_protocols), and the route's counters.
/// </summary>
internal sealed class SniRoute
{
    private readonly byte[][] _applicationProtocols;

    public SniRoute(FilterChain chain, EquatableArray<string> applicationProtocols, SniRouteStats stats)
    {
        Chain = chain;
        Stats = stats;
        _applicationProtocols = applicationProtocols.Select(Encoding.ASCII.GetBytes).ToArray();
    }

    /// <summary>The chain the TCP relay reads its cluster and idle timeout from.</summary>
    public FilterChain Chain { get; }

    public string Name => Chain.Name;

    public SniRouteStats Stats { get; }

    /// <summary>Whether the client offers one of the required protocols; true when none are required.</summary>
    public bool Accepts(AlpnProtocolList offered)
    {
        if (_applicationProtocols.Length == 0)
        {
            return true;
        }
        foreach (var protocol in _applicationProtocols)
        {
            if (offered.Contains(protocol))
            {
                return true;
            }
        }
        return false;
    }
}

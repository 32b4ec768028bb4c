using System.Net;
using MeshProxy.Configuration;

namespace MeshProxy.Listeners;

/// <summary>
/// A listener compiled for the data plane: its config and its filter chains in Envoy's order of precedence.
/// Immutable; part of a snapshot.
/// </summary>
public sealed class ListenerState
{
    private readonly (FilterChain Chain, int? Port, IPNetwork[] Networks)[] _chains;
    private readonly FilterChain _default;

    public ListenerState(ListenerConfig config)
    {
        Config = config;
        _chains = config.FilterChains
            .Select(c => (new FilterChain(c.Name, c.Http, c.Tcp, IsBlackHole: false) { TlsMode = c.Tls?.Mode ?? config.Tls.Mode },
                c.Match.DestinationPort, c.Match.DestinationAddresses.ToArray()))
            .ToArray();
        _default = config.OutboundPolicy == OutboundPolicy.RegistryOnly
            ? FilterChain.BlackHole with { TlsMode = config.Tls.Mode }
            : new FilterChain("default", config.Http, config.Tcp, IsBlackHole: false) { TlsMode = config.Tls.Mode };
    }

    public ListenerConfig Config { get; }

    /// <summary>
    /// Envoy's filter_chain_match precedence for destination port and prefix ranges: chains naming the destination
    /// port beat chains that do not; among those, the longest matching prefix wins, and a chain with no prefixes
    /// only wins when no prefix matches. No match: the listener's default handling.
    /// </summary>
    public FilterChain SelectFilterChain(IPEndPoint? destination)
    {
        if (_chains.Length == 0 || destination is null)
        {
            return _default;
        }
        var address = destination.Address.IsIPv4MappedToIPv6 ? destination.Address.MapToIPv4() : destination.Address;
        return SelectByAddress(destination.Port, address) ?? SelectByAddress(port: null, address) ?? _default;
    }

    private FilterChain? SelectByAddress(int? port, IPAddress address)
    {
        FilterChain? best = null;
        var bestPrefix = -1;
        foreach (var (chain, chainPort, networks) in _chains)
        {
            if (chainPort != port)
            {
                continue;
            }
            if (networks.Length == 0)
            {
                if (bestPrefix < 0)
                {
                    best ??= chain;
                }
                continue;
            }
            foreach (var network in networks)
            {
                if (network.PrefixLength > bestPrefix && network.Contains(address))
                {
                    best = chain;
                    bestPrefix = network.PrefixLength;
                }
            }
        }
        return best;
    }
}

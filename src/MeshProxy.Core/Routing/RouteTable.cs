using System.Collections.Frozen;
using MeshProxy.Configuration;

namespace MeshProxy.Routing;

/// <summary>
/// A compiled route table. Finds the virtual host for a Host/:authority value in Envoy's order of precedence:
/// an exact domain, then the longest "*.suffix" wildcard, then the longest "prefix.*" wildcard, then "*".
/// A host that carries a port is tried first as written, then without its port, so "api" also serves "api:8080".
/// </summary>
public sealed class RouteTable
{
    private readonly FrozenDictionary<string, VirtualHost> _exact;
    private readonly FrozenDictionary<string, VirtualHost>.AlternateLookup<ReadOnlySpan<char>> _exactBySpan;
    private readonly (string Suffix, VirtualHost Host)[] _suffixWildcards;
    private readonly (string Prefix, VirtualHost Host)[] _prefixWildcards;
    private readonly VirtualHost? _catchAll;

    public RouteTable(RouteTableConfig config)
    {
        Name = config.Name;
        var exact = new Dictionary<string, VirtualHost>(StringComparer.OrdinalIgnoreCase);
        var suffixes = new List<(string, VirtualHost)>();
        var prefixes = new List<(string, VirtualHost)>();
        var virtualHosts = config.VirtualHosts.Select(v => new VirtualHost(v)).ToArray();
        foreach (var virtualHost in virtualHosts)
        {
            foreach (var domain in virtualHost.Config.Domains)
            {
                if (domain == "*")
                {
                    _catchAll ??= virtualHost;
                }
                else if (domain.StartsWith('*'))
                {
                    suffixes.Add((domain[1..], virtualHost));
                }
                else if (domain.EndsWith('*'))
                {
                    prefixes.Add((domain[..^1], virtualHost));
                }
                else
                {
                    exact.TryAdd(domain, virtualHost);
                }
            }
        }
        _exact = exact.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _exactBySpan = _exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _suffixWildcards = [.. suffixes.OrderByDescending(s => s.Item1.Length)];
        _prefixWildcards = [.. prefixes.OrderByDescending(p => p.Item1.Length)];
        VirtualHosts = virtualHosts;
    }

    public string Name { get; }

    public IReadOnlyList<VirtualHost> VirtualHosts { get; }

    public VirtualHost? FindVirtualHost(ReadOnlySpan<char> host)
    {
        if (Find(host) is { } found)
        {
            return found;
        }
        var colon = host.LastIndexOf(':');
        var isBracketedIpv6WithoutPort = host.Length > 0 && host[^1] == ']';
        if (colon > 0 && !isBracketedIpv6WithoutPort && Find(host[..colon]) is { } withoutPort)
        {
            return withoutPort;
        }
        return _catchAll;
    }

    private VirtualHost? Find(ReadOnlySpan<char> host)
    {
        if (_exactBySpan.TryGetValue(host, out var exact))
        {
            return exact;
        }
        foreach (var (suffix, virtualHost) in _suffixWildcards)
        {
            // Envoy: the wildcard must match at least one character ("*.foo.com" does not match ".foo.com").
            if (host.Length > suffix.Length && host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return virtualHost;
            }
        }
        foreach (var (prefix, virtualHost) in _prefixWildcards)
        {
            if (host.Length > prefix.Length && host.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return virtualHost;
            }
        }
        return null;
    }
}

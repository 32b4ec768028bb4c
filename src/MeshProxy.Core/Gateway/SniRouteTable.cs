using System.Text;
using MeshProxy.Configuration;
using MeshProxy.Listeners;
using MeshProxy.Tls;
using MeshProxy.Utilities;

namespace MeshProxy.Gateway;

/// <summary>
/// A tls listener's routes by server name, compiled from one config: AUTO_PASSTHROUGH names (one per cluster that
/// declares a service port, as istiod generates one filter chain each), then the listener's own filter chains, which
/// override a generated name they repeat, and the listener's tcp as the default. Lookup follows Envoy's server_names:
/// the exact name first, then <c>*.suffix</c> wildcards from the longest suffix to the shortest; case is ignored.
/// Immutable; lookups allocate nothing.
/// </summary>
internal sealed class SniRouteTable
{
    private readonly Dictionary<string, SniRoute> _exact;
    private readonly Dictionary<string, SniRoute>.AlternateLookup<ReadOnlySpan<char>> _exactLookup;
    // Keyed by the suffix with its dot (".example.com" for "*.example.com").
    private readonly Dictionary<string, SniRoute>.AlternateLookup<ReadOnlySpan<char>> _wildcardLookup;

    private SniRouteTable(long version, Dictionary<string, SniRoute> exact, Dictionary<string, SniRoute> wildcards, SniRoute? fallback)
    {
        Version = version;
        _exact = exact;
        _exactLookup = exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _wildcardLookup = wildcards.GetAlternateLookup<ReadOnlySpan<char>>();
        Default = fallback;
    }

    /// <summary>The snapshot version the table was compiled from.</summary>
    public long Version { get; }

    /// <summary>Where names no route matches go (the listener's tcp); null when they are closed.</summary>
    public SniRoute? Default { get; }

    /// <summary>The exact names routed, AUTO_PASSTHROUGH ones included.</summary>
    public IReadOnlyCollection<string> ExactNames => _exact.Keys;

    public static SniRouteTable Build(ListenerConfig listener, ProxyConfig config, SniRouterStats stats, long version)
    {
        var exact = new Dictionary<string, SniRoute>(StringComparer.OrdinalIgnoreCase);
        var wildcards = new Dictionary<string, SniRoute>(StringComparer.OrdinalIgnoreCase);
        if (listener.AutoPassthrough is { } autoPassthrough)
        {
            foreach (var cluster in config.Clusters)
            {
                if (IstioServerName.ForCluster(cluster) is { } name && ServerNamePattern.MatchesAny(autoPassthrough.Hosts, cluster.Service ?? cluster.Name))
                {
                    // istiod names these chains, and their SniDnat clusters, after the server name itself.
                    var tcp = new TcpListenerConfig { Cluster = cluster.Name, IdleTimeout = autoPassthrough.IdleTimeout };
                    exact[name] = new SniRoute(new FilterChain(name, null, tcp, IsBlackHole: false), autoPassthrough.ApplicationProtocols, stats.Route(name, cluster.Name));
                }
            }
        }
        foreach (var chain in listener.FilterChains)
        {
            if (chain.Tcp is not { } tcp)
            {
                continue;
            }
            var route = new SniRoute(new FilterChain(chain.Name, null, tcp, IsBlackHole: false), chain.Match.ApplicationProtocols, stats.Route(chain.Name, tcp.Cluster));
            foreach (var pattern in chain.Match.ServerNames)
            {
                if (pattern.StartsWith("*.", StringComparison.Ordinal))
                {
                    wildcards[pattern[1..]] = route;
                }
                else
                {
                    exact[pattern] = route;
                }
            }
        }
        var fallback = listener.Tcp is { } defaultTcp
            ? new SniRoute(new FilterChain("default", null, defaultTcp, IsBlackHole: false), EquatableArray<string>.Empty, stats.Route("default", defaultTcp.Cluster))
            : null;
        return new SniRouteTable(version, exact, wildcards, fallback);
    }

    /// <summary>
    /// Finds the route for a ClientHello's server name (validated ASCII, at most 255 bytes) and checks its ALPN.
    /// <paramref name="exactName"/> is the routed name as a string when an exact entry equals it byte for byte, so that
    /// the caller can use it instead of allocating one.
    /// </summary>
    public SniMatch Match(ReadOnlySpan<byte> serverName, AlpnProtocolList offered, out SniRoute? route, out string? exactName)
    {
        Span<char> buffer = stackalloc char[ServerNameValidator.MaxLength];
        exactName = null;
        if (Ascii.ToUtf16(serverName, buffer, out var length) != System.Buffers.OperationStatus.Done)
        {
            route = null;
            return SniMatch.UnknownName;
        }
        var name = buffer[..length];
        if (_exactLookup.TryGetValue(name, out var key, out route))
        {
            exactName = name.SequenceEqual(key) ? key : null;
        }
        else
        {
            route = FindWildcard(name);
        }
        if (route is null)
        {
            return SniMatch.UnknownName;
        }
        return route.Accepts(offered) ? SniMatch.Matched : SniMatch.AlpnNotOffered;
    }

    /// <summary>www.a.example.com tries *.a.example.com, *.example.com, *.com: the longest suffix first.</summary>
    private SniRoute? FindWildcard(ReadOnlySpan<char> name)
    {
        for (var dot = name.IndexOf('.'); dot >= 0; dot = NextDot(name, dot))
        {
            if (_wildcardLookup.TryGetValue(name[dot..], out var route))
            {
                return route;
            }
        }
        return null;
    }

    private static int NextDot(ReadOnlySpan<char> name, int dot)
    {
        var next = name[(dot + 1)..].IndexOf('.');
        return next < 0 ? -1 : dot + 1 + next;
    }
}

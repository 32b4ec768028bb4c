using MeshProxy.Configuration;
using Microsoft.AspNetCore.Http;

namespace MeshProxy.Routing;

/// <summary>A compiled virtual host: its routes, tried in order.</summary>
public sealed class VirtualHost
{
    private readonly Route[] _routes;

    public VirtualHost(VirtualHostConfig config)
    {
        Config = config;
        _routes = config.Routes.Select(r => new Route(r, config)).ToArray();
    }

    public VirtualHostConfig Config { get; }

    public string Name => Config.Name;

    public IReadOnlyList<Route> Routes => _routes;

    /// <summary>The first route whose match accepts the request, or null (Envoy's NR).</summary>
    public Route? FindRoute(string path, IHeaderDictionary headers)
    {
        foreach (var route in _routes)
        {
            if (route.Matcher.Matches(path, headers))
            {
                return route;
            }
        }
        return null;
    }
}

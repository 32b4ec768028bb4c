using MeshProxy.Configuration;
using Microsoft.AspNetCore.Http;

namespace MeshProxy.Routing;

/// <summary>
/// Matches a request path (after Kestrel's normalisation, without the query string) and headers against a route.
/// </summary>
public sealed class RouteMatcher
{
    private readonly string? _prefix;
    private readonly string? _path;
    private readonly StringComparison _comparison;
    private readonly HeaderMatcher[] _headers;

    public RouteMatcher(RouteMatchConfig config)
    {
        _path = config.Path;
        _prefix = config.Path is null ? config.Prefix ?? "/" : null;
        _comparison = config.CaseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        _headers = config.Headers.Select(h => new HeaderMatcher(h)).ToArray();
    }

    public bool Matches(string path, IHeaderDictionary headers)
    {
        var pathMatches = _path is not null
            ? string.Equals(path, _path, _comparison)
            : path.StartsWith(_prefix!, _comparison);
        if (!pathMatches)
        {
            return false;
        }
        foreach (var header in _headers)
        {
            if (!header.Matches(headers))
            {
                return false;
            }
        }
        return true;
    }
}

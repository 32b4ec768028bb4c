using MeshProxy.Configuration;

namespace MeshProxy.Security.Authorization;

/// <summary>
/// One "to" operation: the destination port and, for HTTP, method and path must satisfy every set field. For TCP
/// the HTTP fields cannot be checked: an ALLOW rule that uses them does not match, and a DENY rule ignores them, so
/// both err towards denying (Istio's rule).
/// </summary>
internal sealed class OperationMatcher
{
    private readonly int[] _ports;
    private readonly int[] _notPorts;
    private readonly StringPattern[] _methods;
    private readonly StringPattern[] _notMethods;
    private readonly StringPattern[] _paths;
    private readonly StringPattern[] _notPaths;
    private readonly bool _usesHttpFields;

    public OperationMatcher(AuthorizationOperationConfig config)
    {
        _ports = config.Ports.ToArray();
        _notPorts = config.NotPorts.ToArray();
        _methods = config.Methods.Select(StringPattern.Parse).ToArray();
        _notMethods = config.NotMethods.Select(StringPattern.Parse).ToArray();
        _paths = config.Paths.Select(StringPattern.Parse).ToArray();
        _notPaths = config.NotPaths.Select(StringPattern.Parse).ToArray();
        _usesHttpFields = config.UsesHttpFields;
    }

    public bool Matches(in AuthorizationRequest request, bool isDeny)
    {
        if ((_ports.Length > 0 && Array.IndexOf(_ports, request.Port) < 0) || Array.IndexOf(_notPorts, request.Port) >= 0)
        {
            return false;
        }
        if (!request.IsHttp)
        {
            return isDeny || !_usesHttpFields;
        }
        var path = PathOnly(request.Path);
        return (_methods.Length == 0 || StringPattern.AnyMatches(_methods, request.Method))
            && !StringPattern.AnyMatches(_notMethods, request.Method)
            && (_paths.Length == 0 || StringPattern.AnyMatches(_paths, path))
            && !StringPattern.AnyMatches(_notPaths, path);
    }

    // Istio matches paths without the query string.
    private static ReadOnlySpan<char> PathOnly(string? path)
    {
        var span = path.AsSpan();
        var query = span.IndexOf('?');
        return query < 0 ? span : span[..query];
    }
}

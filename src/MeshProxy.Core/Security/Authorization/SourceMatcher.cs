using MeshProxy.Configuration;

namespace MeshProxy.Security.Authorization;

/// <summary>
/// One "from" source: the peer's principal (its SPIFFE ID without "spiffe://") and namespace must satisfy every set
/// field. A peer without mTLS has no principal and no namespace, so it matches only negative fields.
/// </summary>
internal sealed class SourceMatcher
{
    private const string SpiffeScheme = "spiffe://";

    private readonly StringPattern[] _principals;
    private readonly StringPattern[] _notPrincipals;
    private readonly StringPattern[] _namespaces;
    private readonly StringPattern[] _notNamespaces;

    public SourceMatcher(AuthorizationSourceConfig config)
    {
        _principals = config.Principals.Select(StringPattern.Parse).ToArray();
        _notPrincipals = config.NotPrincipals.Select(StringPattern.Parse).ToArray();
        _namespaces = config.Namespaces.Select(StringPattern.Parse).ToArray();
        _notNamespaces = config.NotNamespaces.Select(StringPattern.Parse).ToArray();
    }

    public bool Matches(string? peerId)
    {
        var principal = peerId is not null && peerId.StartsWith(SpiffeScheme, StringComparison.Ordinal) ? peerId.AsSpan(SpiffeScheme.Length) : [];
        var ns = Namespace(principal);
        return (_principals.Length == 0 || StringPattern.AnyMatches(_principals, principal))
            && !StringPattern.AnyMatches(_notPrincipals, principal)
            && (_namespaces.Length == 0 || StringPattern.AnyMatches(_namespaces, ns))
            && !StringPattern.AnyMatches(_notNamespaces, ns);
    }

    /// <summary>The namespace of an Istio identity "td/ns/&lt;namespace&gt;/sa/&lt;account&gt;"; empty when the ID has none.</summary>
    private static ReadOnlySpan<char> Namespace(ReadOnlySpan<char> principal)
    {
        var start = principal.IndexOf("/ns/", StringComparison.Ordinal);
        if (start < 0)
        {
            return [];
        }
        var rest = principal[(start + "/ns/".Length)..];
        var end = rest.IndexOf('/');
        return end < 0 ? [] : rest[..end];
    }
}

namespace MeshProxy.Identity.Spiffe;

/// <summary>
/// The byte-wise SPIFFE ID grammar, checked the way go-spiffe does (spiffeid/id.go, path.go, charset.go): no URI
/// library, strict spec character sets, the first broken rule wins.
/// </summary>
internal static class SpiffeIdSyntax
{
    public const string Scheme = "spiffe://";

    public static bool IsTrustDomainChar(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-' or '_';

    public static bool IsPathSegmentChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '-' or '_';

    /// <summary>Checks a bare trust domain name (no scheme).</summary>
    public static SpiffeIdError ValidateTrustDomainName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty)
        {
            return SpiffeIdError.MissingTrustDomain;
        }
        foreach (var c in name)
        {
            if (!IsTrustDomainChar(c))
            {
                return SpiffeIdError.BadTrustDomainChar;
            }
        }
        return name.Length > TrustDomain.MaxLength ? SpiffeIdError.TrustDomainTooLong : SpiffeIdError.None;
    }

    /// <summary>Checks a path: empty, or <c>/segment</c> repeated (go-spiffe <c>ValidatePath</c>).</summary>
    public static SpiffeIdError ValidatePath(ReadOnlySpan<char> path)
    {
        if (path.IsEmpty)
        {
            return SpiffeIdError.None;
        }
        if (path[0] != '/')
        {
            return SpiffeIdError.NoLeadingSlash;
        }

        var segmentStart = 0;
        var segmentEnd = 0;
        for (; segmentEnd < path.Length; segmentEnd++)
        {
            var c = path[segmentEnd];
            if (c == '/')
            {
                var error = CheckSegmentBoundary(path[segmentStart..segmentEnd]);
                if (error != SpiffeIdError.None)
                {
                    return error;
                }
                segmentStart = segmentEnd;
                continue;
            }
            if (!IsPathSegmentChar(c))
            {
                return SpiffeIdError.BadPathSegmentChar;
            }
        }

        var last = CheckSegmentBoundary(path[segmentStart..segmentEnd]);
        if (last != SpiffeIdError.None)
        {
            // A lone "/" at the end is reported as a trailing slash, not as an empty segment (go-spiffe order).
            return last == SpiffeIdError.EmptySegment ? SpiffeIdError.TrailingSlash : last;
        }
        return SpiffeIdError.None;
    }

    /// <summary>Checks one segment without its leading slash (go-spiffe <c>ValidatePathSegment</c>).</summary>
    public static SpiffeIdError ValidateSegment(ReadOnlySpan<char> segment)
    {
        switch (segment)
        {
            case "":
                return SpiffeIdError.EmptySegment;
            case "." or "..":
                return SpiffeIdError.DotSegment;
        }
        foreach (var c in segment)
        {
            if (!IsPathSegmentChar(c))
            {
                return SpiffeIdError.BadPathSegmentChar;
            }
        }
        return SpiffeIdError.None;
    }

    // `segment` includes its leading slash ("/", "/.", "/..", "/name").
    private static SpiffeIdError CheckSegmentBoundary(ReadOnlySpan<char> segment) => segment switch
    {
        "" => SpiffeIdError.None,
        "/" => SpiffeIdError.EmptySegment,
        "/." or "/.." => SpiffeIdError.DotSegment,
        _ => SpiffeIdError.None,
    };
}

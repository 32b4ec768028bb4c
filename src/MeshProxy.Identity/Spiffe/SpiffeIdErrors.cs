namespace MeshProxy.Identity.Spiffe;

/// <summary>The message for each <see cref="SpiffeIdError"/>: go-spiffe's exact strings (spiffeid/errors.go).</summary>
public static class SpiffeIdErrors
{
    /// <summary>The human-readable reason for <paramref name="error"/>.</summary>
    public static string Message(SpiffeIdError error) => error switch
    {
        SpiffeIdError.None => "valid",
        SpiffeIdError.Empty => "cannot be empty",
        SpiffeIdError.WrongScheme => "scheme is missing or invalid",
        SpiffeIdError.MissingTrustDomain => "trust domain is missing",
        SpiffeIdError.BadTrustDomainChar => "trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores",
        SpiffeIdError.NoLeadingSlash => "path must have a leading slash",
        SpiffeIdError.EmptySegment => "path cannot contain empty segments",
        SpiffeIdError.DotSegment => "path cannot contain dot segments",
        SpiffeIdError.BadPathSegmentChar => "path segment characters are limited to letters, numbers, dots, dashes, and underscores",
        SpiffeIdError.TrailingSlash => "path cannot have a trailing slash",
        SpiffeIdError.TooLong => "SPIFFE ID cannot be longer than 2048 bytes",
        SpiffeIdError.TrustDomainTooLong => "trust domain cannot be longer than 255 bytes",
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, null),
    };
}

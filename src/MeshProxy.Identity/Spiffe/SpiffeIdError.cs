namespace MeshProxy.Identity.Spiffe;

/// <summary>
/// Why a string is not a valid SPIFFE ID or trust domain. One value per rule of the SPIFFE-ID specification
/// (standards/SPIFFE-ID.md §2), in the order go-spiffe checks them; <see cref="SpiffeIdErrors.Message"/> gives
/// go-spiffe's exact wording.
/// </summary>
public enum SpiffeIdError
{
    /// <summary>No error.</summary>
    None = 0,

    /// <summary>The input is empty.</summary>
    Empty,

    /// <summary>The input does not start with the lowercase scheme <c>spiffe://</c>.</summary>
    WrongScheme,

    /// <summary>The trust domain (the URI authority) is empty.</summary>
    MissingTrustDomain,

    /// <summary>The trust domain has a character outside <c>[a-z0-9._-]</c> (uppercase, port, userinfo, percent-encoding, non-ASCII).</summary>
    BadTrustDomainChar,

    /// <summary>A non-empty path does not start with <c>/</c>.</summary>
    NoLeadingSlash,

    /// <summary>The path has an empty segment (<c>//</c>).</summary>
    EmptySegment,

    /// <summary>The path has a <c>.</c> or <c>..</c> segment.</summary>
    DotSegment,

    /// <summary>A path segment has a character outside <c>[a-zA-Z0-9._-]</c> (query, fragment, percent-encoding, non-ASCII).</summary>
    BadPathSegmentChar,

    /// <summary>The path ends with <c>/</c>.</summary>
    TrailingSlash,

    /// <summary>The whole ID is longer than <see cref="SpiffeId.MaxLength"/> bytes.</summary>
    TooLong,

    /// <summary>The trust domain is longer than <see cref="TrustDomain.MaxLength"/> bytes.</summary>
    TrustDomainTooLong,
}

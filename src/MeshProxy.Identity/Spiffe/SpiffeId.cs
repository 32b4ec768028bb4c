using System.Diagnostics.CodeAnalysis;

namespace MeshProxy.Identity.Spiffe;

/// <summary>
/// A SPIFFE ID, <c>spiffe://trust-domain/path</c>, validated exactly as go-spiffe does (standards/SPIFFE-ID.md §2):
/// lowercase <c>spiffe://</c> scheme only; trust domain <c>[a-z0-9._-]</c>; path segments <c>[a-zA-Z0-9._-]</c>
/// with no empty, <c>.</c> or <c>..</c> segment and no trailing slash; hence no query, fragment, userinfo, port or
/// percent-encoding. Unlike go-spiffe it also enforces the spec's length limits: 2048 bytes for the ID and 255
/// for the trust domain. Immutable; compared ordinally.
/// </summary>
public sealed class SpiffeId : IEquatable<SpiffeId>
{
    /// <summary>The longest SPIFFE ID accepted, in bytes, scheme included (the spec's recommended maximum).</summary>
    public const int MaxLength = 2048;

    private readonly string _text;

    private SpiffeId(TrustDomain trustDomain, string path)
    {
        TrustDomain = trustDomain;
        Path = path;
        _text = trustDomain.IdString + path;
    }

    /// <summary>The trust domain.</summary>
    public TrustDomain TrustDomain { get; }

    /// <summary>The path with its leading slash, e.g. <c>/ns/default/sa/web</c>; empty for a trust domain's own ID.</summary>
    public string Path { get; }

    /// <summary>
    /// The Istio principal: the ID without <c>spiffe://</c>, e.g. <c>cluster.local/ns/default/sa/web</c>, as written in
    /// AuthorizationPolicy <c>principals</c> and the <c>source.principal</c> attribute.
    /// </summary>
    public string IstioPrincipal => _text[SpiffeIdSyntax.Scheme.Length..];

    /// <summary>Parses a SPIFFE ID; on failure <paramref name="error"/> names the first rule broken.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out SpiffeId? id, out SpiffeIdError error)
    {
        id = null;
        error = Validate(text, out var trustDomainLength);
        if (error != SpiffeIdError.None)
        {
            return false;
        }
        var schemeLength = SpiffeIdSyntax.Scheme.Length;
        var trustDomain = TrustDomain.FromValidated(text!.Substring(schemeLength, trustDomainLength));
        id = new SpiffeId(trustDomain, text[(schemeLength + trustDomainLength)..]);
        return true;
    }

    /// <summary>Parses like <see cref="TryParse"/>; throws <see cref="SpiffeIdFormatException"/> on invalid input.</summary>
    public static SpiffeId Parse(string? text) =>
        TryParse(text, out var id, out var error) ? id : throw new SpiffeIdFormatException(error, text);

    /// <summary>
    /// Builds <c>spiffe://TD/s1/s2...</c>; each segment must be non-empty, not <c>.</c>/<c>..</c> and contain no <c>/</c>
    /// (go-spiffe <c>FromSegments</c>).
    /// </summary>
    public static SpiffeId FromSegments(TrustDomain trustDomain, params ReadOnlySpan<string> segments)
    {
        ArgumentNullException.ThrowIfNull(trustDomain);
        var path = "";
        foreach (var segment in segments)
        {
            var error = SpiffeIdSyntax.ValidateSegment(segment);
            if (error != SpiffeIdError.None)
            {
                throw new SpiffeIdFormatException(error, segment);
            }
            path += "/" + segment;
        }
        return FromPath(trustDomain, path);
    }

    /// <summary>Builds <c>spiffe://TD</c> + <paramref name="path"/>; the path is empty or starts with <c>/</c> (go-spiffe <c>FromPath</c>).</summary>
    public static SpiffeId FromPath(TrustDomain trustDomain, string path)
    {
        ArgumentNullException.ThrowIfNull(trustDomain);
        var error = SpiffeIdSyntax.ValidatePath(path);
        if (error == SpiffeIdError.None && trustDomain.IdString.Length + path.Length > MaxLength)
        {
            error = SpiffeIdError.TooLong;
        }
        return error == SpiffeIdError.None ? new SpiffeId(trustDomain, path) : throw new SpiffeIdFormatException(error, path);
    }

    /// <summary>Istio's workload identity form <c>spiffe://TD/ns/NAMESPACE/sa/SERVICE_ACCOUNT</c>.</summary>
    public static SpiffeId ForIstioWorkload(TrustDomain trustDomain, string @namespace, string serviceAccount) =>
        FromSegments(trustDomain, "ns", @namespace, "sa", serviceAccount);

    /// <summary>Parses an Istio principal (<c>TD/ns/N/sa/S</c>, any SPIFFE path) by prefixing <c>spiffe://</c>.</summary>
    public static bool TryParseIstioPrincipal([NotNullWhen(true)] string? principal, [NotNullWhen(true)] out SpiffeId? id, out SpiffeIdError error)
    {
        if (string.IsNullOrEmpty(principal))
        {
            id = null;
            error = SpiffeIdError.Empty;
            return false;
        }
        return TryParse(SpiffeIdSyntax.Scheme + principal, out id, out error);
    }

    /// <summary>
    /// Reads Istio's form <c>/ns/N/sa/S</c>: exactly these four segments with the literal <c>ns</c> and <c>sa</c>
    /// (istio pkg/spiffe <c>ParseIdentity</c>). False for any other path.
    /// </summary>
    public bool TryGetIstioWorkload([NotNullWhen(true)] out string? @namespace, [NotNullWhen(true)] out string? serviceAccount)
    {
        @namespace = null;
        serviceAccount = null;
        var parts = Path.Split('/');
        // "/ns/N/sa/S" splits into "", "ns", "N", "sa", "S".
        if (parts is not ["", "ns", var ns, "sa", var sa])
        {
            return false;
        }
        @namespace = ns;
        serviceAccount = sa;
        return true;
    }

    /// <summary>True when this ID belongs to <paramref name="trustDomain"/>.</summary>
    public bool IsMemberOf(TrustDomain trustDomain) => TrustDomain.Equals(trustDomain);

    public bool Equals(SpiffeId? other) => other is not null && string.Equals(_text, other._text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as SpiffeId);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_text);

    public static bool operator ==(SpiffeId? left, SpiffeId? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(SpiffeId? left, SpiffeId? right) => !(left == right);

    /// <summary>The URI form <c>spiffe://TD/path</c>.</summary>
    public override string ToString() => _text;

    private static SpiffeIdError Validate(string? text, out int trustDomainLength)
    {
        trustDomainLength = 0;
        if (string.IsNullOrEmpty(text))
        {
            return SpiffeIdError.Empty;
        }
        if (!text.StartsWith(SpiffeIdSyntax.Scheme, StringComparison.Ordinal))
        {
            return SpiffeIdError.WrongScheme;
        }

        var rest = text.AsSpan(SpiffeIdSyntax.Scheme.Length);
        var slash = rest.IndexOf('/');
        var name = slash < 0 ? rest : rest[..slash];
        var error = SpiffeIdSyntax.ValidateTrustDomainName(name);
        if (error != SpiffeIdError.None)
        {
            return error;
        }
        error = SpiffeIdSyntax.ValidatePath(rest[name.Length..]);
        if (error != SpiffeIdError.None)
        {
            return error;
        }
        // Only ASCII passes the character checks above, so characters are bytes here.
        if (text.Length > MaxLength)
        {
            return SpiffeIdError.TooLong;
        }
        trustDomainLength = name.Length;
        return SpiffeIdError.None;
    }
}

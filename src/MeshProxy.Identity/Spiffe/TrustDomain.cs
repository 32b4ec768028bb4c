using System.Diagnostics.CodeAnalysis;

namespace MeshProxy.Identity.Spiffe;

/// <summary>
/// A SPIFFE trust domain name such as <c>cluster.local</c>: lowercase letters, digits, dots, dashes and
/// underscores, 1 to 255 bytes (standards/SPIFFE-ID.md §2.1, §2.3). Compared ordinally.
/// </summary>
public sealed class TrustDomain : IEquatable<TrustDomain>, IComparable<TrustDomain>
{
    /// <summary>The longest trust domain name accepted, in bytes (the spec's maximum).</summary>
    public const int MaxLength = 255;

    private TrustDomain(string name)
    {
        Name = name;
        IdString = SpiffeIdSyntax.Scheme + name;
    }

    /// <summary>The bare name, e.g. <c>cluster.local</c>.</summary>
    public string Name { get; }

    /// <summary>The trust domain's own SPIFFE ID, e.g. <c>spiffe://cluster.local</c> (the Workload API map key form).</summary>
    public string IdString { get; }

    /// <summary>
    /// Parses a bare name (<c>cluster.local</c>) or, when the input contains <c>:/</c>, a whole SPIFFE ID whose
    /// trust domain is taken (go-spiffe <c>TrustDomainFromString</c>).
    /// </summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out TrustDomain? trustDomain, out SpiffeIdError error)
    {
        trustDomain = null;
        if (string.IsNullOrEmpty(text))
        {
            error = SpiffeIdError.MissingTrustDomain;
            return false;
        }
        if (text.Contains(":/", StringComparison.Ordinal))
        {
            if (!SpiffeId.TryParse(text, out var id, out error))
            {
                return false;
            }
            trustDomain = id.TrustDomain;
            return true;
        }
        error = SpiffeIdSyntax.ValidateTrustDomainName(text);
        if (error != SpiffeIdError.None)
        {
            return false;
        }
        trustDomain = new TrustDomain(text);
        return true;
    }

    /// <summary>Parses like <see cref="TryParse"/>; throws <see cref="SpiffeIdFormatException"/> on invalid input.</summary>
    public static TrustDomain Parse(string? text) =>
        TryParse(text, out var trustDomain, out var error) ? trustDomain : throw new SpiffeIdFormatException(error, text);

    /// <summary>Builds from a name already checked by <see cref="SpiffeIdSyntax.ValidateTrustDomainName"/>.</summary>
    internal static TrustDomain FromValidated(string name) => new(name);

    /// <summary>The SPIFFE ID <c>spiffe://TD/segments...</c> in this trust domain.</summary>
    public SpiffeId Id(params string[] segments) => SpiffeId.FromSegments(this, segments);

    public bool Equals(TrustDomain? other) => other is not null && string.Equals(Name, other.Name, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as TrustDomain);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);

    public int CompareTo(TrustDomain? other) => other is null ? 1 : string.CompareOrdinal(Name, other.Name);

    public static bool operator ==(TrustDomain? left, TrustDomain? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(TrustDomain? left, TrustDomain? right) => !(left == right);

    /// <summary>The bare name.</summary>
    public override string ToString() => Name;
}

using MeshProxy.Identity.Spiffe;

namespace MeshProxy.Identity.Tls;

/// <summary>
/// Which authenticated peers are authorized: any, a set of exact SPIFFE IDs, whole trust domains, or a predicate.
/// Runs after SVID validation, so it only ever sees IDs whose chain the peer's own trust domain vouched for.
/// </summary>
public sealed class SpiffeIdMatcher
{
    private readonly Func<SpiffeId, bool> _predicate;
    private readonly string _description;

    private SpiffeIdMatcher(Func<SpiffeId, bool> predicate, string description)
    {
        _predicate = predicate;
        _description = description;
    }

    /// <summary>Any peer with a valid SVID from a trust domain that has a bundle.</summary>
    public static SpiffeIdMatcher Any { get; } = new(static _ => true, "any SPIFFE ID");

    /// <summary>Exactly these IDs (Istio's <c>MatchSubjectAltNames</c> for destination service accounts).</summary>
    public static SpiffeIdMatcher Exactly(params IEnumerable<SpiffeId> ids)
    {
        var set = new HashSet<SpiffeId>(ids);
        return new(set.Contains, "one of " + string.Join(", ", set.Select(id => id.ToString()).Order(StringComparer.Ordinal)));
    }

    /// <summary>Any ID in these trust domains.</summary>
    public static SpiffeIdMatcher MemberOf(params IEnumerable<TrustDomain> trustDomains)
    {
        var set = new HashSet<TrustDomain>(trustDomains);
        return new(id => set.Contains(id.TrustDomain), "a member of " + string.Join(", ", set.Select(td => td.Name).Order(StringComparer.Ordinal)));
    }

    /// <summary>An arbitrary authorization predicate; <paramref name="description"/> appears in rejection logs.</summary>
    public static SpiffeIdMatcher Where(Func<SpiffeId, bool> predicate, string description) => new(predicate, description);

    /// <summary>True when <paramref name="id"/> is authorized.</summary>
    public bool Matches(SpiffeId id) => _predicate(id);

    public override string ToString() => _description;
}

using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using MeshProxy.Identity.Spiffe;

namespace MeshProxy.Identity.Bundles;

/// <summary>
/// The trust bundles this workload knows, one per trust domain: its own and the federated ones. Immutable; a
/// change produces a new set. Bundles are never merged: a peer is validated only with the bundle of the trust
/// domain in its own SPIFFE ID (SPIFFE_Federation.md §4.2).
/// </summary>
public sealed class TrustBundleSet
{
    private readonly FrozenDictionary<TrustDomain, TrustBundle> _bundles;

    private TrustBundleSet(FrozenDictionary<TrustDomain, TrustBundle> bundles) => _bundles = bundles;

    /// <summary>No bundle at all: every peer is rejected.</summary>
    public static TrustBundleSet Empty { get; } = new(FrozenDictionary<TrustDomain, TrustBundle>.Empty);

    /// <summary>How many trust domains have a bundle.</summary>
    public int Count => _bundles.Count;

    /// <summary>The trust domains that have a bundle.</summary>
    public IEnumerable<TrustDomain> TrustDomains => _bundles.Keys;

    /// <summary>Every bundle.</summary>
    public IEnumerable<TrustBundle> Bundles => _bundles.Values;

    /// <summary>Builds a set; two bundles for one trust domain is an error (SPIFFE bundle map rule, §6.3).</summary>
    public static TrustBundleSet Create(IEnumerable<TrustBundle> bundles)
    {
        var map = new Dictionary<TrustDomain, TrustBundle>();
        foreach (var bundle in bundles)
        {
            if (!map.TryAdd(bundle.TrustDomain, bundle))
            {
                throw new ArgumentException($"Two bundles for trust domain {bundle.TrustDomain}.", nameof(bundles));
            }
        }
        return new TrustBundleSet(map.ToFrozenDictionary());
    }

    /// <summary>The bundle of <paramref name="trustDomain"/>, if there is one.</summary>
    public bool TryGetBundle(TrustDomain trustDomain, [NotNullWhen(true)] out TrustBundle? bundle) => _bundles.TryGetValue(trustDomain, out bundle);

    /// <summary>A copy with <paramref name="bundle"/> added or replacing the one of its trust domain.</summary>
    public TrustBundleSet With(TrustBundle bundle)
    {
        var map = new Dictionary<TrustDomain, TrustBundle>(_bundles) { [bundle.TrustDomain] = bundle };
        return new TrustBundleSet(map.ToFrozenDictionary());
    }

    public override string ToString() => $"{Count} trust domains: {string.Join(", ", _bundles.Keys.Order())}";
}

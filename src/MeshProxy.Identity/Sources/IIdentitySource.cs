namespace MeshProxy.Identity.Sources;

/// <summary>
/// Provides this workload's current X.509-SVID and trust bundles, and tells when they rotate. Implementations
/// validate every candidate first: an invalid new SVID is rejected with a log and the previous one stays.
/// </summary>
public interface IIdentitySource
{
    /// <summary>The current identity; null until the first valid one arrives.</summary>
    IdentitySnapshot? Current { get; }

    /// <summary>Raised after <see cref="Current"/> changed, with the new value. Handlers must be quick and must not throw.</summary>
    event Action<IdentitySnapshot>? Changed;

    /// <summary>Completes with the first valid identity (at once when there is one already).</summary>
    Task<IdentitySnapshot> WaitForIdentityAsync(CancellationToken cancellationToken);
}

using MeshProxy.Identity.Svids;

namespace MeshProxy.Identity.Sources;

/// <summary>
/// A fixed identity that never rotates, e.g. one issued in-process by the built-in CA for a demo. It is validated
/// once, at construction, with the same rules as rotating sources.
/// </summary>
public sealed class StaticIdentitySource : IIdentitySource
{
    /// <summary>Creates the source; throws <see cref="ArgumentException"/> when the SVID is not valid against its bundles now.</summary>
    public StaticIdentitySource(IdentitySnapshot identity, TimeProvider timeProvider)
    {
        var result = new SvidValidator(timeProvider).ValidateOwn(identity.Svid, identity.Bundles);
        if (!result.IsValid)
        {
            throw new ArgumentException($"The SVID {identity.Svid} is not valid: {result}");
        }
        Current = identity;
    }

    /// <inheritdoc/>
    public IdentitySnapshot? Current { get; }

    /// <inheritdoc/>
    /// <remarks>Never raised: the identity does not change.</remarks>
    public event Action<IdentitySnapshot>? Changed
    {
        add { }
        remove { }
    }

    /// <inheritdoc/>
    public Task<IdentitySnapshot> WaitForIdentityAsync(CancellationToken cancellationToken) => Task.FromResult(Current!);
}

using MeshProxy.Identity.Spiffe;
using MeshProxy.Identity.Svids;

namespace MeshProxy.Identity.Tls;

/// <summary>
/// What the certificate validation callback of one handshake decided, for the caller to log, count and use:
/// create one per connection and pass it to <see cref="SpiffeTlsOptionsBuilder"/>.
/// </summary>
public sealed class PeerVerification
{
    private SvidValidationResult? _result;

    /// <summary>The decision; null while the callback has not run (e.g. the handshake failed earlier).</summary>
    public SvidValidationResult? Result => Volatile.Read(ref _result);

    /// <summary>The authenticated and authorized peer's SPIFFE ID; null otherwise.</summary>
    public SpiffeId? PeerId => Result is { IsValid: true } result ? result.Id : null;

    internal void Record(SvidValidationResult result) => Volatile.Write(ref _result, result);
}

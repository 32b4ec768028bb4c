namespace MeshProxy.Identity.Bundles;

/// <summary>Thrown when a trust bundle (PEM, DER or SPIFFE bundle JSON) cannot be read.</summary>
public sealed class TrustBundleFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public TrustBundleFormatException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

namespace MeshProxy.Identity.Svids;

/// <summary>Thrown when an SVID or its key cannot be loaded at all; <see cref="Failure"/> says why.</summary>
public sealed class SvidFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SvidFormatException(SvidFailure failure, string message, Exception? inner = null)
        : base(message, inner)
    {
        Failure = failure;
    }

    /// <summary>The failure, one of the load-time values of <see cref="SvidFailure"/>.</summary>
    public SvidFailure Failure { get; }
}

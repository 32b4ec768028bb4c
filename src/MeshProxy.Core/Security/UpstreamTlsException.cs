namespace MeshProxy.Security;

/// <summary>An mTLS handshake with an upstream endpoint failed; <see cref="Reason"/> is the short label counted and logged.</summary>
public sealed class UpstreamTlsException : IOException
{
    public UpstreamTlsException(string reason, string message, Exception? innerException)
        : base(message, innerException)
    {
        Reason = reason;
    }

    public string Reason { get; }
}

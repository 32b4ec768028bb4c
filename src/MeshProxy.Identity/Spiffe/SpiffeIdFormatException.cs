namespace MeshProxy.Identity.Spiffe;

/// <summary>Thrown by the <c>Parse</c> methods for input that is not a valid SPIFFE ID or trust domain.</summary>
public sealed class SpiffeIdFormatException : FormatException
{
    /// <summary>Creates the exception for <paramref name="error"/> found in <paramref name="input"/>.</summary>
    public SpiffeIdFormatException(SpiffeIdError error, string? input)
        : base($"'{input}' is not a valid SPIFFE ID: {SpiffeIdErrors.Message(error)}")
    {
        Error = error;
    }

    /// <summary>The rule the input broke.</summary>
    public SpiffeIdError Error { get; }
}

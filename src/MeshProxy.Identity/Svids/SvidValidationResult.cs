using MeshProxy.Identity.Spiffe;

namespace MeshProxy.Identity.Svids;

/// <summary>
/// The outcome of validating an X.509-SVID: valid with the SPIFFE ID, or one <see cref="SvidFailure"/> with a
/// human-readable detail for the log. <see cref="Id"/> is also set on failures found after the ID was read
/// (e.g. <see cref="SvidFailure.UntrustedChain"/>), so logs can say who was rejected.
/// </summary>
public sealed record SvidValidationResult
{
    private SvidValidationResult(SvidFailure failure, string detail, SpiffeId? id)
    {
        Failure = failure;
        Detail = detail;
        Id = id;
    }

    /// <summary>True when <see cref="Failure"/> is <see cref="SvidFailure.None"/>.</summary>
    public bool IsValid => Failure == SvidFailure.None;

    /// <summary>The rule broken, or <see cref="SvidFailure.None"/>.</summary>
    public SvidFailure Failure { get; }

    /// <summary>What exactly was wrong (for logs, not for metrics labels).</summary>
    public string Detail { get; }

    /// <summary>The SPIFFE ID of the leaf when it could be read; always set when valid.</summary>
    public SpiffeId? Id { get; }

    /// <summary>A valid SVID with <paramref name="id"/>.</summary>
    public static SvidValidationResult Valid(SpiffeId id) => new(SvidFailure.None, "valid", id);

    /// <summary>A rejection.</summary>
    public static SvidValidationResult Invalid(SvidFailure failure, string detail, SpiffeId? id = null) => new(failure, detail, id);

    public override string ToString() => IsValid ? $"valid {Id}" : $"{SvidFailures.Label(Failure)}: {Detail}" + (Id is null ? "" : $" ({Id})");
}

namespace MeshProxy.Resilience;

/// <summary>Envoy's stream reset reasons, as far as the proxy can tell them apart.</summary>
public enum ResetKind
{
    /// <summary>The connection could not be made (refused, unreachable, TLS handshake failed).</summary>
    ConnectFailure,

    /// <summary>The connection attempt timed out.</summary>
    ConnectTimeout,

    /// <summary>The upstream closed the connection before responding.</summary>
    ConnectionTermination,

    /// <summary>An HTTP/2 RST_STREAM (or a TCP reset).</summary>
    RemoteReset,

    /// <summary>HTTP/2 REFUSED_STREAM: the upstream did not process the request.</summary>
    RefusedStream,

    /// <summary>The upstream's response could not be parsed.</summary>
    ProtocolError,

    /// <summary>A circuit breaker was full.</summary>
    Overflow,

    /// <summary>The attempt reached its per-try timeout (Envoy's LocalReset with a timeout).</summary>
    PerTryTimeout,
}

/// <summary>Why an attempt failed without a response; <see cref="TlsFailure"/> names a failed mTLS handshake's reason.</summary>
public readonly record struct UpstreamReset(ResetKind Kind, string? TlsFailure = null)
{
    /// <summary>Whether no request byte can have reached the upstream, so any request may be retried.</summary>
    public bool BeforeRequest => Kind is ResetKind.ConnectFailure or ResetKind.ConnectTimeout or ResetKind.RefusedStream or ResetKind.Overflow;
}

/// <summary>A circuit breaker refused a request or connection (Envoy's overflow reset).</summary>
public sealed class UpstreamOverflowException(string message) : Exception(message);

/// <summary>An attempt reached its per-try timeout and was not retried.</summary>
public sealed class PerTryTimeoutException(TimeSpan timeout) : TimeoutException($"the attempt reached its per-try timeout of {Utilities.Durations.Format(timeout)}");

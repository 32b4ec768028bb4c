namespace MeshProxy.Upstream;

/// <summary>
/// Hears how each upstream attempt ended, per endpoint: the seam passive health checking (outlier detection) hangs
/// on. The request and TCP paths report every attempt; a cluster without outlier detection uses <see cref="None"/>.
/// Implementations must be thread-safe and cheap: they run on the request path.
/// </summary>
public interface IEndpointOutcomeObserver
{
    static IEndpointOutcomeObserver None { get; } = new NoObserver();

    void OnOutcome(EndpointState endpoint, in EndpointOutcome outcome);

    private sealed class NoObserver : IEndpointOutcomeObserver
    {
        public void OnOutcome(EndpointState endpoint, in EndpointOutcome outcome)
        {
        }
    }
}

/// <summary>
/// How one attempt at an endpoint ended: an HTTP status, or a failure of the proxy's own making or seeing
/// (Envoy's "local origin" errors: connect failures, timeouts, resets), which outlier detection treats as 5xx.
/// </summary>
public readonly record struct EndpointOutcome(int StatusCode, LocalOriginFailure LocalOrigin)
{
    public static EndpointOutcome Response(int statusCode) => new(statusCode, LocalOriginFailure.None);

    public static EndpointOutcome Failure(LocalOriginFailure failure) => new(0, failure);

    public bool IsSuccess => LocalOrigin == LocalOriginFailure.None && StatusCode is > 0 and < 500;
}

/// <summary>Failures the proxy observes without an HTTP status (Envoy's Result::LocalOriginConnectFailed and friends).</summary>
public enum LocalOriginFailure
{
    None,
    ConnectFailed,
    Timeout,
    Reset,
}

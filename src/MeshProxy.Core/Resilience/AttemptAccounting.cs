using MeshProxy.Http;
using MeshProxy.Upstream;

namespace MeshProxy.Resilience;

/// <summary>
/// The bookkeeping of each upstream attempt: the endpoint's and cluster's active requests, and what outlier detection
/// hears. Every attempt is started here; one whose response does not go to the client is settled here too.
/// </summary>
internal static class AttemptAccounting
{
    public static void Started(ProxyRequestContext context, EndpointState endpoint)
    {
        context.AttemptCount++;
        context.Endpoint = endpoint;
        endpoint.RequestStarted();
        context.Cluster!.Stats.RequestStarted();
    }

    /// <summary>Settles an attempt that ended with a response the client will not see (retried, or lost a race).</summary>
    public static void Discarded(ProxyRequestContext context, EndpointState endpoint, int statusCode)
        => Settle(context, endpoint, EndpointOutcome.Response(statusCode));

    /// <summary>Settles an attempt that ended without a response.</summary>
    public static void Failed(ProxyRequestContext context, EndpointState endpoint, Exception exception, CancellationToken requestToken)
        => Settle(context, endpoint, FailureOutcome(context, exception, requestToken));

    /// <summary>Settles an attempt the proxy cancelled itself (another attempt won): nothing to hold against the endpoint.</summary>
    public static void Cancelled(ProxyRequestContext context, EndpointState endpoint) => Settle(context, endpoint, outcome: null);

    private static void Settle(ProxyRequestContext context, EndpointState endpoint, EndpointOutcome? outcome)
    {
        endpoint.RequestFinished(failed: outcome is { IsSuccess: false });
        context.Cluster!.Stats.RequestAbandoned();
        if (outcome is { } known)
        {
            context.Cluster.OutcomeObserver.OnOutcome(endpoint, known);
        }
    }

    /// <summary>
    /// What a failure says about the endpoint: timeouts and resets count against it; a cancellation the client caused,
    /// or an overflow of our own circuit breaker (Envoy issue 25487), does not.
    /// </summary>
    private static EndpointOutcome? FailureOutcome(ProxyRequestContext context, Exception exception, CancellationToken requestToken)
    {
        if (context.RouteTimeout?.IsCancellationRequested == true)
        {
            return EndpointOutcome.Failure(LocalOriginFailure.Timeout);
        }
        if (requestToken.IsCancellationRequested)
        {
            return null;
        }
        return UpstreamFailure.Reset(exception).Kind switch
        {
            ResetKind.Overflow => null,
            ResetKind.ConnectFailure or ResetKind.ConnectTimeout => EndpointOutcome.Failure(LocalOriginFailure.ConnectFailed),
            ResetKind.PerTryTimeout => EndpointOutcome.Failure(LocalOriginFailure.Timeout),
            _ => EndpointOutcome.Failure(LocalOriginFailure.Reset),
        };
    }
}

using System.Globalization;
using MeshProxy.Resilience;

namespace MeshProxy.Http;

/// <summary>The per-attempt headers Envoy's router may add: x-envoy-attempt-count and x-envoy-expected-rq-timeout-ms.</summary>
internal static class UpstreamRequestHeaders
{
    public const string AttemptCount = "x-envoy-attempt-count";
    public const string ExpectedTimeout = "x-envoy-expected-rq-timeout-ms";

    public static void Set(HttpRequestMessage request, ProxyRequestContext context, RouteResilience route, TimeProvider timeProvider)
    {
        if (route.IncludeAttemptCount)
        {
            request.Headers.Remove(AttemptCount);
            request.Headers.TryAddWithoutValidation(AttemptCount, context.AttemptCount.ToString(CultureInfo.InvariantCulture));
        }
        if (route.ExpectedTimeoutHeader)
        {
            request.Headers.Remove(ExpectedTimeout);
            var elapsed = context.RequestCompleteTimestamp == 0 ? TimeSpan.Zero : timeProvider.GetElapsedTime(context.RequestCompleteTimestamp);
            if (route.ExpectedTimeoutMilliseconds(elapsed) is { } milliseconds)
            {
                request.Headers.TryAddWithoutValidation(ExpectedTimeout, milliseconds.ToString(CultureInfo.InvariantCulture));
            }
        }
    }
}

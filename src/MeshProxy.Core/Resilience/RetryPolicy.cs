using MeshProxy.Configuration;
using MeshProxy.Routing;

namespace MeshProxy.Resilience;

/// <summary>
/// A route's retry policy, compiled: which responses and resets are retried (Envoy's retry_state_impl.cc order),
/// how many times, after what back-off, and how the next endpoint is chosen.
/// </summary>
public sealed class RetryPolicy
{
    private readonly RetryOn _retryOn;
    private readonly bool[] _retriableCodes = new bool[600];
    private readonly HeaderMatcher[] _retriableHeaders;

    public RetryPolicy(RetryPolicyConfig config)
    {
        Config = config;
        _retryOn = config.RetryOn;
        foreach (var code in config.RetriableStatusCodes)
        {
            _retriableCodes[code] = true;
        }
        _retriableHeaders = config.RetriableHeaders.Select(h => new HeaderMatcher(h)).ToArray();
    }

    public RetryPolicyConfig Config { get; }

    public int NumRetries => Config.NumRetries;

    public TimeSpan PerTryTimeout => Config.PerTryTimeout;

    /// <summary>Whether a response asks for another attempt under retry_on.</summary>
    public bool ShouldRetry(HttpResponseMessage response)
    {
        var code = (int)response.StatusCode;
        if (response.Headers.Contains("x-envoy-ratelimited"))
        {
            // Envoy never retries a rate-limited response except under envoy-ratelimited, which is not supported.
            return false;
        }
        return ((_retryOn & RetryOn.FiveXx) != 0 && code >= 500)
            || ((_retryOn & RetryOn.GatewayError) != 0 && code is 502 or 503 or 504)
            || ((_retryOn & RetryOn.Retriable4xx) != 0 && code == 409)
            || ((_retryOn & RetryOn.RetriableStatusCodes) != 0 && code is >= 100 and < 600 && _retriableCodes[code])
            || ((_retryOn & RetryOn.RetriableHeaders) != 0 && AnyHeaderMatches(response));
    }

    /// <summary>Whether a failure without a response is retried (Envoy's wouldRetryFromReset).</summary>
    public bool ShouldRetry(in UpstreamReset reset)
    {
        if (reset.Kind == ResetKind.Overflow)
        {
            return false;
        }
        if ((_retryOn & RetryOn.ConnectFailure) != 0 && reset.Kind is ResetKind.ConnectFailure or ResetKind.ConnectTimeout)
        {
            return true;
        }
        if ((_retryOn & RetryOn.ResetBeforeRequest) != 0 && reset.BeforeRequest)
        {
            return true;
        }
        if ((_retryOn & (RetryOn.FiveXx | RetryOn.GatewayError | RetryOn.Reset)) != 0)
        {
            return true;
        }
        return (_retryOn & RetryOn.RefusedStream) != 0 && reset.Kind == ResetKind.RefusedStream;
    }

    public JitteredBackOff CreateBackOff(Random random) => new(Config.BaseInterval, Config.EffectiveMaxInterval, random);

    private bool AnyHeaderMatches(HttpResponseMessage response)
    {
        foreach (var matcher in _retriableHeaders)
        {
            if (matcher.Matches(response))
            {
                return true;
            }
        }
        return false;
    }
}

using System.Net;
using MeshProxy.Configuration;
using MeshProxy.Http;
using MeshProxy.Resilience;
using Xunit;

namespace MeshProxy.Tests.Resilience;

/// <summary>Which responses and resets each retry_on condition retries (Envoy's retry_state_impl.cc order).</summary>
public sealed class RetryPolicyTests
{
    private static RetryPolicy Policy(RetryOn retryOn, params int[] codes)
        => new(new RetryPolicyConfig { RetryOn = retryOn, RetriableStatusCodes = new(codes) });

    private static HttpResponseMessage Response(int code) => new((HttpStatusCode)code);

    [Theory]
    [InlineData(RetryOn.FiveXx, 500, true)]
    [InlineData(RetryOn.FiveXx, 503, true)]
    [InlineData(RetryOn.FiveXx, 429, false)]
    [InlineData(RetryOn.GatewayError, 502, true)]
    [InlineData(RetryOn.GatewayError, 503, true)]
    [InlineData(RetryOn.GatewayError, 504, true)]
    [InlineData(RetryOn.GatewayError, 500, false)]
    [InlineData(RetryOn.Retriable4xx, 409, true)]
    [InlineData(RetryOn.Retriable4xx, 404, false)]
    [InlineData(RetryOn.Reset, 503, false)]
    [InlineData(RetryOn.ConnectFailure, 503, false)]
    public void Responses(RetryOn retryOn, int code, bool retried)
    {
        Assert.Equal(retried, Policy(retryOn).ShouldRetry(Response(code)));
    }

    [Fact]
    public void RetriableStatusCodes_OnlyTheListedOnes()
    {
        var policy = Policy(RetryOn.RetriableStatusCodes, 418, 503);

        Assert.True(policy.ShouldRetry(Response(418)));
        Assert.True(policy.ShouldRetry(Response(503)));
        Assert.False(policy.ShouldRetry(Response(500)));
    }

    [Fact]
    public void RateLimitedResponse_IsNeverRetried()
    {
        var response = Response(503);
        response.Headers.TryAddWithoutValidation("x-envoy-ratelimited", "true");

        Assert.False(Policy(RetryOn.FiveXx).ShouldRetry(response));
    }

    [Theory]
    [InlineData(RetryOn.ConnectFailure, ResetKind.ConnectFailure, true)]
    [InlineData(RetryOn.ConnectFailure, ResetKind.ConnectTimeout, true)]
    [InlineData(RetryOn.ConnectFailure, ResetKind.RemoteReset, false)]
    [InlineData(RetryOn.FiveXx, ResetKind.ConnectFailure, true)]
    [InlineData(RetryOn.FiveXx, ResetKind.PerTryTimeout, true)]
    [InlineData(RetryOn.GatewayError, ResetKind.ConnectionTermination, true)]
    [InlineData(RetryOn.Reset, ResetKind.RemoteReset, true)]
    [InlineData(RetryOn.Reset, ResetKind.PerTryTimeout, true)]
    [InlineData(RetryOn.RefusedStream, ResetKind.RefusedStream, true)]
    [InlineData(RetryOn.RefusedStream, ResetKind.RemoteReset, false)]
    [InlineData(RetryOn.ResetBeforeRequest, ResetKind.ConnectFailure, true)]
    [InlineData(RetryOn.ResetBeforeRequest, ResetKind.RefusedStream, true)]
    [InlineData(RetryOn.ResetBeforeRequest, ResetKind.ConnectionTermination, false)]
    [InlineData(RetryOn.Retriable4xx, ResetKind.ConnectFailure, false)]
    [InlineData(RetryOn.FiveXx | RetryOn.ConnectFailure, ResetKind.Overflow, false)]
    public void Resets(RetryOn retryOn, ResetKind kind, bool retried)
    {
        Assert.Equal(retried, Policy(retryOn).ShouldRetry(new UpstreamReset(kind)));
    }

    [Fact]
    public void ExceptionsMapToEnvoysResetReasons()
    {
        Assert.Equal(ResetKind.RefusedStream, UpstreamFailure.Reset(new HttpRequestException("x", new HttpProtocolException(0x7, "refused", null))).Kind);
        Assert.Equal(ResetKind.RemoteReset, UpstreamFailure.Reset(new HttpProtocolException(0x2, "internal", null)).Kind);
        Assert.Equal(ResetKind.ConnectFailure, UpstreamFailure.Reset(new HttpRequestException(HttpRequestError.ConnectionError, "refused")).Kind);
        Assert.Equal(ResetKind.Overflow, UpstreamFailure.Reset(new HttpRequestException("x", new UpstreamOverflowException("full"))).Kind);
        Assert.Equal(ResetKind.PerTryTimeout, UpstreamFailure.Reset(new PerTryTimeoutException(TimeSpan.FromSeconds(1))).Kind);
        Assert.Equal((MeshProxy.Telemetry.ResponseFlags.UpstreamOverflow, "overflow", 503), UpstreamFailure.Classify(new UpstreamOverflowException("full")));
    }
}

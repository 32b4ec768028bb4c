using MeshProxy.Configuration;
using MeshProxy.Resilience;
using Xunit;

namespace MeshProxy.Tests.Resilience;

/// <summary>x-envoy-expected-rq-timeout-ms, Envoy's worked vectors; per-try timeouts the route timeout makes moot.</summary>
public sealed class RouteResilienceTests
{
    private static RouteResilience Route(int globalMs, int perTryMs, bool hedge)
        => new(new RouteConfig
        {
            Timeout = TimeSpan.FromMilliseconds(globalMs),
            RetryPolicy = new RetryPolicyConfig { RetryOn = RetryOn.FiveXx, PerTryTimeout = TimeSpan.FromMilliseconds(perTryMs) },
            HedgePolicy = hedge ? new HedgePolicyConfig { HedgeOnPerTryTimeout = true } : null,
        }, new VirtualHostConfig { Name = "vh" });

    [Theory]
    [InlineData(15000, 0, false, 0, 15000L)]
    [InlineData(15000, 2000, false, 0, 2000L)]
    [InlineData(15000, 2000, false, 2050, 2000L)]
    [InlineData(15000, 2000, false, 14500, 500L)]
    [InlineData(15000, 2000, true, 2050, 12950L)]
    [InlineData(15000, 20000, false, 0, 15000L)]
    [InlineData(3000, 0, false, 3000, 1L)]
    [InlineData(0, 0, false, 100, null)]
    public void ExpectedTimeout_MatchesEnvoysVectors(int globalMs, int perTryMs, bool hedge, int elapsedMs, long? expected)
    {
        Assert.Equal(expected, Route(globalMs, perTryMs, hedge).ExpectedTimeoutMilliseconds(TimeSpan.FromMilliseconds(elapsedMs)));
    }

    [Fact]
    public void PerTryTimeoutNotShorterThanTheRouteTimeout_IsIgnored()
    {
        Assert.Equal(TimeSpan.Zero, Route(3000, 3000, hedge: false).PerTryTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(500), Route(3000, 500, hedge: false).PerTryTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(500), Route(0, 500, hedge: false).PerTryTimeout);
    }

    [Fact]
    public void VirtualHostPolicies_ApplyToRoutesWithoutTheirOwn()
    {
        var virtualHost = new VirtualHostConfig
        {
            Name = "vh",
            RetryPolicy = new RetryPolicyConfig { RetryOn = RetryOn.Reset, NumRetries = 4 },
            IncludeAttemptCount = true,
        };

        var inherited = new RouteResilience(new RouteConfig(), virtualHost);
        var own = new RouteResilience(new RouteConfig { RetryPolicy = new RetryPolicyConfig { RetryOn = RetryOn.FiveXx } }, virtualHost);

        Assert.Equal(4, inherited.Retry!.NumRetries);
        Assert.Equal(1, own.Retry!.NumRetries);
        Assert.True(inherited.IncludeAttemptCount);
        Assert.Null(RouteResilience.None.Retry);
    }
}

using MeshProxy.Configuration;
using Xunit;
using static MeshProxy.Tests.Configuration.LoadBalancerConfigReaderTests;

namespace MeshProxy.Tests.Configuration;

/// <summary>retryPolicy, hedgePolicy, route limits and circuitBreakers: what is read, and every error with its path.</summary>
public sealed class ResilienceConfigTests
{
    private static string Route(string routeLines, string virtualHostLines = "") => $$"""
        routeTables:
          - name: t
            virtualHosts:
              - name: vh
                domains: ["*"]
        {{virtualHostLines}}
                routes:
                  - match: { prefix: / }
                    cluster: c
        {{routeLines}}
        clusters:
          - name: c
        """;

    [Fact]
    public void Read_EveryField()
    {
        var config = Load(Route("""
                    retryPolicy:
                      retryOn: "5xx,connect-failure, retriable-status-codes"
                      numRetries: 3
                      perTryTimeout: 250ms
                      baseInterval: 10ms
                      maxInterval: 1s
                      retriableStatusCodes: [503, 429]
                      retriableHeaders: [ { name: x-retry, present: true } ]
                      avoidPreviousHosts: false
                      hostSelectionRetryMaxAttempts: 2
                    hedgePolicy:
                      hedgeOnPerTryTimeout: true
                      adaptive: { percentile: 99, minDelay: 5ms, budgetPercent: 5, minSamples: 50 }
                    maxStreamDuration: 30s
                    bufferLimitBytes: 4096
                    expectedTimeoutHeader: true
                    priority: high
        """, "        includeAttemptCount: true") + """

                circuitBreakers:
                  thresholds:
                    - maxConnections: 10
                      maxPendingRequests: 20
                      maxRequests: 30
                      maxRetries: 4
                    - priority: high
                      retryBudget: { budgetPercent: 25, minRetryConcurrency: 5 }
            """);

        var virtualHost = config.RouteTables[0].VirtualHosts[0];
        var route = virtualHost.Routes[0];
        var retry = route.RetryPolicy!;
        Assert.True(virtualHost.IncludeAttemptCount);
        Assert.Equal(RetryOn.FiveXx | RetryOn.ConnectFailure | RetryOn.RetriableStatusCodes, retry.RetryOn);
        Assert.Equal(3, retry.NumRetries);
        Assert.Equal(TimeSpan.FromMilliseconds(250), retry.PerTryTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), retry.EffectiveMaxInterval);
        Assert.Equal([503, 429], retry.RetriableStatusCodes);
        Assert.Equal("x-retry", retry.RetriableHeaders[0].Name);
        Assert.False(retry.AvoidPreviousHosts);
        Assert.Equal(2, retry.HostSelectionRetryMaxAttempts);
        Assert.True(route.HedgePolicy!.HedgeOnPerTryTimeout);
        Assert.Equal(99, route.HedgePolicy.Adaptive!.Percentile);
        Assert.Equal(TimeSpan.FromSeconds(30), route.MaxStreamDuration);
        Assert.Equal(4096, route.BufferLimitBytes);
        Assert.True(route.ExpectedTimeoutHeader);
        Assert.Equal(RoutingPriority.High, route.Priority);
        var breakers = config.Clusters[0].CircuitBreakers;
        Assert.Equal(30, breakers.For(RoutingPriority.Default).MaxRequests);
        Assert.Equal(4, breakers.For(RoutingPriority.Default).MaxRetries);
        Assert.Equal(25, breakers.For(RoutingPriority.High).RetryBudget!.BudgetPercent);
        Assert.Equal(1024, breakers.For(RoutingPriority.High).MaxRequests);
    }

    [Fact]
    public void Defaults_AreEnvoys()
    {
        var config = Load(Route("            retryPolicy: { retryOn: [5xx] }"));

        var retry = config.RouteTables[0].VirtualHosts[0].Routes[0].RetryPolicy!;
        Assert.Equal(1, retry.NumRetries);
        Assert.Equal(TimeSpan.FromMilliseconds(25), retry.BaseInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(250), retry.EffectiveMaxInterval);
        var thresholds = config.Clusters[0].CircuitBreakers.For(RoutingPriority.Default);
        Assert.Equal((1024, 1024, 1024, 3), (thresholds.MaxConnections, thresholds.MaxPendingRequests, thresholds.MaxRequests, thresholds.MaxRetries));
    }

    [Theory]
    [InlineData("            retryPolicy: { numRetries: 2 }", "routeTables[0].virtualHosts[0].routes[0].retryPolicy.retryOn", "is required")]
    [InlineData("            retryPolicy: { retryOn: [5xx, sometimes] }", "routeTables[0].virtualHosts[0].routes[0].retryPolicy.retryOn", "'sometimes' is not a retry condition")]
    [InlineData("            retryPolicy: { retryOn: [retriable-status-codes] }", "routeTables[0].virtualHosts[0].routes[0].retryPolicy.retriableStatusCodes", "list the codes")]
    [InlineData("            retryPolicy: { retryOn: [5xx], retriableStatusCodes: [700] }", "routeTables[0].virtualHosts[0].routes[0].retryPolicy.retriableStatusCodes[0]", "not an HTTP status code")]
    [InlineData("            retryPolicy: { retryOn: [5xx], baseInterval: 100ms, maxInterval: 10ms }", "routeTables[0].virtualHosts[0].routes[0].retryPolicy.maxInterval", "not be shorter")]
    [InlineData("            hedgePolicy: { hedgeOnPerTryTimeout: true }", "routeTables[0].virtualHosts[0].routes[0].hedgePolicy", "needs a retry policy")]
    [InlineData("            retryPolicy: { retryOn: [5xx] }\n            hedgePolicy: { hedgeOnPerTryTimeout: true }", "routeTables[0].virtualHosts[0].routes[0].hedgePolicy", "perTryTimeout")]
    [InlineData("            hedgePolicy: { adaptive: { percentile: 20 } }", "routeTables[0].virtualHosts[0].routes[0].hedgePolicy.adaptive.percentile", "percentage from 50")]
    [InlineData("            priority: urgent", "routeTables[0].virtualHosts[0].routes[0].priority", "urgent")]
    public void Invalid_ReportsPathAndReason(string routeLines, string path, string reason)
    {
        var errors = Errors(Route(routeLines));

        Assert.Contains(errors, e => e.Path == path && e.Message.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void CircuitBreakerErrors()
    {
        var errors = Errors("clusters: [ { name: c, circuitBreakers: { thresholds: [ { maxRequests: 0, retryBudget: { budgetPercent: 120 } } ] } } ]");

        Assert.Contains(errors, e => e.Path == "clusters[0].circuitBreakers.thresholds[0].maxRequests");
        Assert.Contains(errors, e => e.Path == "clusters[0].circuitBreakers.thresholds[0].retryBudget.budgetPercent");
    }
}

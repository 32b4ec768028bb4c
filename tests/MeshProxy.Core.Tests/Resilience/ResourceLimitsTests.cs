using System.Net;
using MeshProxy.Configuration;
using MeshProxy.Resilience;
using Xunit;

namespace MeshProxy.Tests.Resilience;

/// <summary>Circuit-breaker arithmetic: Envoy's retry budget vectors, limits and overflow counters, connection slots.</summary>
public sealed class ResourceLimitsTests
{
    private static ResourceLimits Limits(CircuitBreakerThresholdsConfig thresholds, out ResilienceStats stats)
    {
        stats = new ResilienceStats();
        return new ResourceLimits(thresholds, stats);
    }

    /// <summary>Envoy's vectors for budget 20%, minimum 3: max(20% of active + pending, 3) retries at once.</summary>
    [Theory]
    [InlineData(0, 3)]
    [InlineData(10, 3)]
    [InlineData(19, 3)]
    [InlineData(20, 4)]
    [InlineData(25, 5)]
    [InlineData(100, 20)]
    public void RetryBudget_AllowsMaxOfPercentAndMinimum(int activeRequests, int allowedRetries)
    {
        var limits = Limits(new CircuitBreakerThresholdsConfig { MaxRequests = 1000, RetryBudget = new RetryBudgetConfig() }, out var stats);
        for (var i = 0; i < activeRequests; i++)
        {
            Assert.True(limits.TryStartRequest());
        }

        var granted = 0;
        while (limits.TryStartRetry())
        {
            granted++;
        }

        Assert.Equal(allowedRetries, granted);
        Assert.Equal(1, stats.RetryOverflows);
    }

    [Fact]
    public void MaxRetries_WithoutBudget_IsThreeByDefault_AndFreedRetriesCanBeReused()
    {
        var limits = Limits(CircuitBreakerThresholdsConfig.Default, out var stats);

        Assert.True(limits.TryStartRetry());
        Assert.True(limits.TryStartRetry());
        Assert.True(limits.TryStartRetry());
        Assert.False(limits.TryStartRetry());
        limits.EndRetry();
        Assert.True(limits.TryStartRetry());
        Assert.Equal(1, stats.RetryOverflows);
    }

    [Fact]
    public void MaxRequests_RefusesTheOneOverAndCountsIt()
    {
        var limits = Limits(new CircuitBreakerThresholdsConfig { MaxRequests = 2 }, out var stats);

        Assert.True(limits.TryStartRequest());
        Assert.True(limits.TryStartRequest());
        Assert.False(limits.TryStartRequest());
        limits.EndRequest();
        Assert.True(limits.TryStartRequest());
        Assert.Equal(1, stats.RequestOverflows);
        Assert.Equal(2, limits.ActiveRequests);
    }

    [Fact]
    public async Task Connections_AtTheLimitAWaiterGetsTheNextFreedSlot_BeyondPendingOverflows()
    {
        var limits = Limits(new CircuitBreakerThresholdsConfig { MaxConnections = 1, MaxPendingRequests = 1 }, out var stats);
        var endpoint = new IPEndPoint(IPAddress.Loopback, 8080);

        var first = await limits.AcquireConnectionAsync(endpoint, CancellationToken.None);
        var waiting = limits.AcquireConnectionAsync(endpoint, CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, limits.PendingRequests);
        await Assert.ThrowsAsync<UpstreamOverflowException>(async () => await limits.AcquireConnectionAsync(endpoint, CancellationToken.None));

        first.Dispose();
        var second = await waiting.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(1, limits.ActiveConnections);
        Assert.Equal(0, limits.PendingRequests);
        Assert.Equal(1, stats.RequestOverflows);
        second.Dispose();
        Assert.Equal(0, limits.ActiveConnections);
    }

    [Fact]
    public void Connections_AnEndpointWithoutAnyMayAlwaysOpenOne()
    {
        var limits = Limits(new CircuitBreakerThresholdsConfig { MaxConnections = 1 }, out var stats);

        using var busy = limits.TryOpenConnection(new IPEndPoint(IPAddress.Loopback, 1));
        using var starving = limits.TryOpenConnection(new IPEndPoint(IPAddress.Loopback, 2));
        var refused = limits.TryOpenConnection(new IPEndPoint(IPAddress.Loopback, 1));

        Assert.NotNull(busy);
        Assert.NotNull(starving);
        Assert.Null(refused);
        Assert.Equal(2, stats.ConnectionOverflows);
    }

    [Fact]
    public async Task Connections_AWaiterThatGivesUpLeavesNoSlotBehind()
    {
        var limits = Limits(new CircuitBreakerThresholdsConfig { MaxConnections = 1 }, out _);
        var endpoint = new IPEndPoint(IPAddress.Loopback, 8080);
        var first = await limits.AcquireConnectionAsync(endpoint, CancellationToken.None);
        using var giveUp = new CancellationTokenSource();

        var waiting = limits.AcquireConnectionAsync(endpoint, giveUp.Token).AsTask();
        giveUp.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        first.Dispose();

        Assert.Equal(0, limits.ActiveConnections);
        Assert.Equal(0, limits.PendingRequests);
    }
}

using MeshProxy.Resilience;
using Xunit;

namespace MeshProxy.Tests.Resilience;

/// <summary>The adaptive hedge delay follows the recent latency percentile; the budget lets only a share of requests hedge.</summary>
public sealed class AdaptiveHedgeTrackerTests
{
    [Fact]
    public void Delay_NullUntilEnoughSamples_ThenThePercentile()
    {
        var tracker = new AdaptiveHedgeTracker();
        for (var ms = 1; ms <= 99; ms++)
        {
            tracker.Record(TimeSpan.FromMilliseconds(ms));
        }
        Assert.Null(tracker.Delay(95, TimeSpan.Zero, minSamples: 100));

        tracker.Record(TimeSpan.FromMilliseconds(100));

        Assert.Equal(TimeSpan.FromMilliseconds(95), tracker.Delay(95, TimeSpan.Zero, minSamples: 100));
        Assert.Equal(TimeSpan.FromMilliseconds(50), tracker.Delay(50, TimeSpan.Zero, minSamples: 100));
        Assert.Equal(TimeSpan.FromMilliseconds(200), tracker.Delay(50, TimeSpan.FromMilliseconds(200), minSamples: 100));
    }

    [Fact]
    public void Delay_FollowsTheRecentWindowOnly()
    {
        var tracker = new AdaptiveHedgeTracker();
        for (var i = 0; i < 600; i++)
        {
            tracker.Record(TimeSpan.FromMilliseconds(1000));
        }
        for (var i = 0; i < 600; i++)
        {
            tracker.Record(TimeSpan.FromMilliseconds(10));
        }

        Assert.Equal(TimeSpan.FromMilliseconds(10), tracker.Delay(99, TimeSpan.Zero, minSamples: 1));
    }

    [Fact]
    public void Budget_TenPercent_OneHedgePerTenRequests()
    {
        var tracker = new AdaptiveHedgeTracker();
        var hedges = 0;
        for (var i = 0; i < 100; i++)
        {
            tracker.CountRequest(10);
            if (tracker.TrySpendHedge())
            {
                hedges++;
            }
        }

        Assert.Equal(10, hedges);
        Assert.False(tracker.TrySpendHedge());
    }
}

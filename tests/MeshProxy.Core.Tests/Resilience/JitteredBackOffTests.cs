using MeshProxy.Resilience;
using Xunit;

namespace MeshProxy.Tests.Resilience;

/// <summary>Envoy's JitteredExponentialBackOffStrategy: the bounds double from the base while under half the maximum.</summary>
public sealed class JitteredBackOffTests
{
    [Fact]
    public void EnvoyDefaults_BoundsAre25_50_100_200_250_250()
    {
        var backOff = new JitteredBackOff(TimeSpan.FromMilliseconds(25), TimeSpan.FromMilliseconds(250), new Random(1));

        var bounds = new List<double>();
        for (var i = 0; i < 6; i++)
        {
            bounds.Add(backOff.NextBound.TotalMilliseconds);
            backOff.Next();
        }

        Assert.Equal([25, 50, 100, 200, 250, 250], bounds);
    }

    [Fact]
    public void Base100Max1000_BoundsFollowEnvoysCode()
    {
        var backOff = new JitteredBackOff(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(1000), new Random(1));

        var bounds = Enumerable.Range(0, 5).Select(_ =>
        {
            var bound = backOff.NextBound.TotalMilliseconds;
            backOff.Next();
            return bound;
        }).ToArray();

        Assert.Equal([100, 200, 400, 800, 1000], bounds);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(42)]
    public void EveryDelay_IsUniformInZeroToBound(int seed)
    {
        var random = new Random(seed);
        var low = new int[6];
        var high = new int[6];
        for (var run = 0; run < 2000; run++)
        {
            var backOff = new JitteredBackOff(TimeSpan.FromMilliseconds(25), TimeSpan.FromMilliseconds(250), random);
            for (var n = 0; n < 6; n++)
            {
                var bound = backOff.NextBound.TotalMilliseconds;
                var delay = backOff.Next().TotalMilliseconds;
                Assert.InRange(delay, 0, bound - 1);
                if (delay < bound / 2)
                {
                    low[n]++;
                }
                else
                {
                    high[n]++;
                }
            }
        }
        // Jittered over the whole range, not bunched at either end.
        for (var n = 0; n < 6; n++)
        {
            Assert.InRange(low[n], 800, 1200);
            Assert.InRange(high[n], 800, 1200);
        }
    }

    [Fact]
    public void BaseUnderOneMillisecond_RoundsUpToOne()
    {
        var backOff = new JitteredBackOff(TimeSpan.FromTicks(10), TimeSpan.FromTicks(100), new Random(1));

        Assert.Equal(TimeSpan.FromMilliseconds(1), backOff.NextBound);
        Assert.Equal(TimeSpan.Zero, backOff.Next());
    }
}

using MeshProxy.Utilities;

namespace MeshProxy.Tests.Utilities;

public sealed class DurationsTests
{
    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("5s", 5000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5s", 1500)]
    [InlineData("2h", 7_200_000)]
    [InlineData("0s", 0)]
    public void TryParse_ValidText_Milliseconds(string text, double milliseconds)
    {
        Assert.True(Durations.TryParse(text, out var value));
        Assert.Equal(milliseconds, value.TotalMilliseconds);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("5 s")]
    [InlineData("s")]
    [InlineData("5d")]
    [InlineData("")]
    [InlineData("-1s")]
    public void TryParse_InvalidText_False(string text) => Assert.False(Durations.TryParse(text, out _));

    [Theory]
    [InlineData(250, "250ms")]
    [InlineData(5000, "5s")]
    [InlineData(90_000, "90s")]
    [InlineData(120_000, "2m")]
    [InlineData(3_600_000, "1h")]
    [InlineData(0, "0s")]
    public void Format_RoundTrips(double milliseconds, string text)
    {
        Assert.Equal(text, Durations.Format(TimeSpan.FromMilliseconds(milliseconds)));
        Assert.True(Durations.TryParse(text, out var parsed));
        Assert.Equal(milliseconds, parsed.TotalMilliseconds);
    }
}

using Xunit;

namespace MeshProxy.Tls.Tests;

public sealed class ClientHelloLimitsTests
{
    [Fact]
    public void Default_SixteenKibibytesAndSixteenRecords()
    {
        Assert.Equal(16_384, ClientHelloLimits.Default.MaxMessageLength);
        Assert.Equal(16, ClientHelloLimits.Default.MaxRecords);
    }

    [Fact]
    public void DefaultValue_MeansTheDefaults()
    {
        var limits = default(ClientHelloLimits);

        Assert.Equal(ClientHelloLimits.DefaultMaxMessageLength, limits.MaxMessageLength);
        Assert.Equal(ClientHelloLimits.DefaultMaxRecords, limits.MaxRecords);
    }

    [Fact]
    public void Init_OneLimit_KeepsTheOtherDefault()
    {
        var limits = new ClientHelloLimits { MaxRecords = 2 };

        Assert.Equal(2, limits.MaxRecords);
        Assert.Equal(ClientHelloLimits.DefaultMaxMessageLength, limits.MaxMessageLength);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(-1, 1)]
    [InlineData(1 << 24, 1)]
    [InlineData(100, 0)]
    public void Init_OutOfRange_Throws(int maxMessageLength, int maxRecords)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClientHelloLimits { MaxMessageLength = maxMessageLength, MaxRecords = maxRecords });
    }
}

using System.Text;
using Xunit;

namespace MeshProxy.Tls.Tests;

public sealed class AlpnProtocolListTests
{
    private static readonly byte[] IstioList = [19, .. "istio-peer-exchange"u8, 5, .. "istio"u8, 2, .. "h2"u8];

    [Fact]
    public void Enumerate_WireList_ProtocolsInOrder()
    {
        var protocols = new List<string>();
        foreach (var protocol in new AlpnProtocolList(IstioList))
        {
            protocols.Add(Encoding.ASCII.GetString(protocol));
        }

        Assert.Equal(["istio-peer-exchange", "istio", "h2"], protocols);
    }

    [Fact]
    public void Count_WireList_NumberOfProtocols()
    {
        Assert.Equal(3, new AlpnProtocolList(IstioList).Count);
        Assert.Equal(0, new AlpnProtocolList([]).Count);
    }

    [Fact]
    public void Contains_ExactName_True()
    {
        Assert.True(new AlpnProtocolList(IstioList).Contains("istio"u8));
        Assert.True(new AlpnProtocolList(IstioList).Contains("h2"u8));
    }

    [Theory]
    [InlineData("ISTIO")]
    [InlineData("isti")]
    [InlineData("istio-peer")]
    [InlineData("http/1.1")]
    [InlineData("")]
    public void Contains_OtherName_False(string name)
    {
        Assert.False(new AlpnProtocolList(IstioList).Contains(Encoding.ASCII.GetBytes(name)));
    }

    [Fact]
    public void IsEmpty_EmptyList_True()
    {
        Assert.True(new AlpnProtocolList([]).IsEmpty);
        Assert.False(new AlpnProtocolList(IstioList).IsEmpty);
    }
}

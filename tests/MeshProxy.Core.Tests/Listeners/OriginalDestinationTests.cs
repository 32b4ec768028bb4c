using System.Net;
using System.Net.Sockets;
using MeshProxy.Listeners;

namespace MeshProxy.Tests.Listeners;

public sealed class OriginalDestinationTests
{
    [Fact]
    public void Parse_SockaddrIn_PortIsBigEndian()
    {
        byte[] sockaddr = [0x02, 0x00, 0x1f, 0x90, 10, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0];

        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.1.2.3"), 8080), OriginalDestination.Parse(sockaddr, isIpv6: false));
    }

    [Fact]
    public void Parse_SockaddrIn6_AddressAtOffsetEight()
    {
        var sockaddr = new byte[28];
        sockaddr[0] = 10;
        sockaddr[2] = 0x01;
        sockaddr[3] = 0xbb;
        IPAddress.Parse("fd00::7").GetAddressBytes().CopyTo(sockaddr, 8);

        Assert.Equal(new IPEndPoint(IPAddress.Parse("fd00::7"), 443), OriginalDestination.Parse(sockaddr, isIpv6: true));
    }

    [Fact]
    public void Parse_TooShort_Null() => Assert.Null(OriginalDestination.Parse(new byte[4], isIpv6: false));

    [Fact]
    public async Task TryRead_ConnectionThatWasNotRedirected_NeverAnotherAddress()
    {
        // Without iptables there is no NAT entry: the kernel reports no original destination, or (with conntrack
        // loaded) the connection's own local address, which the listener then refuses as "not redirected".
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
        using var accepted = await listener.AcceptSocketAsync();

        var original = OriginalDestination.TryRead(accepted);

        Assert.True(original is null || original.Equals(accepted.LocalEndPoint), $"unexpected original destination {original}");
    }
}

using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace MeshProxy.Listeners;

/// <summary>
/// Reads where a redirected connection was going before iptables REDIRECT sent it to us:
/// getsockopt(SOL_IP, SO_ORIGINAL_DST) for IPv4 and getsockopt(SOL_IPV6, IP6T_SO_ORIGINAL_DST) for IPv6.
/// Both option numbers are 80 (linux/netfilter_ipv4.h, linux/netfilter_ipv6/ip6_tables.h).
/// </summary>
public static class OriginalDestination
{
    private const int SolIp = 0;
    private const int SolIpv6 = 41;
    private const int SoOriginalDst = 80;

    /// <summary>The original destination, or null when the kernel has none (no conntrack entry, not Linux).</summary>
    public static IPEndPoint? TryRead(Socket socket)
    {
        // An IPv4 client on a dual-mode socket shows up as ::ffff:a.b.c.d; its NAT entry is an IPv4 one.
        var isIpv6 = socket.AddressFamily == AddressFamily.InterNetworkV6
            && socket.LocalEndPoint is IPEndPoint { Address.IsIPv4MappedToIPv6: false };
        // sockaddr_in is 16 bytes, sockaddr_in6 is 28.
        Span<byte> sockaddr = stackalloc byte[28];
        int length;
        try
        {
            length = socket.GetRawSocketOption(isIpv6 ? SolIpv6 : SolIp, SoOriginalDst, sockaddr);
        }
        catch (Exception ex) when (ex is SocketException or PlatformNotSupportedException or ObjectDisposedException)
        {
            return null;
        }
        return Parse(sockaddr[..length], isIpv6);
    }

    /// <summary>Decodes a sockaddr_in or sockaddr_in6: the port is big-endian at offset 2, the address follows.</summary>
    public static IPEndPoint? Parse(ReadOnlySpan<byte> sockaddr, bool isIpv6)
    {
        if (sockaddr.Length < (isIpv6 ? 24 : 8))
        {
            return null;
        }
        var port = BinaryPrimitives.ReadUInt16BigEndian(sockaddr[2..]);
        var address = isIpv6 ? new IPAddress(sockaddr.Slice(8, 16)) : new IPAddress(sockaddr.Slice(4, 4));
        return new IPEndPoint(address, port);
    }
}

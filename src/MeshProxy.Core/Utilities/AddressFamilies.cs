using System.Net;
using System.Net.Sockets;

namespace MeshProxy.Utilities;

/// <summary>Picks, from per-family alternatives (127.0.0.6 and ::6), the address that fits a given family.</summary>
public static class AddressFamilies
{
    public static IPAddress? Pick(IReadOnlyList<IPAddress> addresses, AddressFamily family)
    {
        foreach (var address in addresses)
        {
            if (address.AddressFamily == family)
            {
                return address;
            }
        }
        return null;
    }
}

using System.Globalization;
using System.Net;

namespace MeshProxy.Utilities;

/// <summary>Parses "ip:port" and "[ipv6]:port" text into an <see cref="IPEndPoint"/>.</summary>
public static class SocketAddressParser
{
    public static bool TryParse(string text, out IPEndPoint endpoint, out string error)
    {
        endpoint = new IPEndPoint(IPAddress.None, 0);
        var span = text.AsSpan().Trim();
        var colon = span.LastIndexOf(':');
        if (colon <= 0)
        {
            error = $"'{text}' is not an address; write ip:port, for example 127.0.0.1:8080 or [::1]:8080";
            return false;
        }

        var hostPart = span[..colon];
        if (hostPart.Length >= 2 && hostPart[0] == '[' && hostPart[^1] == ']')
        {
            hostPart = hostPart[1..^1];
        }
        else if (hostPart.Contains(':'))
        {
            error = $"'{text}': put an IPv6 address in brackets, for example [::1]:8080";
            return false;
        }

        if (!IPAddress.TryParse(hostPart, out var address))
        {
            error = $"'{hostPart.ToString()}' is not an IP address (host names are not resolved here)";
            return false;
        }
        if (!int.TryParse(span[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            error = $"'{span[(colon + 1)..].ToString()}' is not a port (0-65535)";
            return false;
        }

        endpoint = new IPEndPoint(address, port);
        error = "";
        return true;
    }

    public static string Format(IPEndPoint endpoint) => endpoint.ToString();
}

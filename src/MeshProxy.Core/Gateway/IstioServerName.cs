using System.Globalization;

namespace MeshProxy.Gateway;

/// <summary>
/// The TLS server name an Istio sidecar sends when it originates mTLS to a service, and the one an AUTO_PASSTHROUGH
/// gateway routes by: <c>outbound_.&lt;port&gt;_.&lt;subset&gt;_.&lt;fqdn&gt;</c>, with an empty subset for the whole service
/// (<c>outbound_.8080_._.reviews.default.svc.cluster.local</c>). Istio's <c>BuildDNSSrvSubsetKey</c> and
/// <c>ParseSubsetKey</c> (pilot/pkg/model/service.go).
/// </summary>
public static class IstioServerName
{
    private const string Prefix = "outbound_.";
    private const string Separator = "_.";
    private const int MaxSubsetLength = 63;

    /// <summary>The server name for <paramref name="service"/> (an FQDN), its <paramref name="port"/> and an optional <paramref name="subset"/>.</summary>
    public static string Format(string service, int port, string? subset)
        => string.Create(CultureInfo.InvariantCulture, $"{Prefix}{port}{Separator}{subset}{Separator}{service}");

    /// <summary>The name for a cluster that declares a service port; null when it declares none.</summary>
    public static string? ForCluster(Configuration.ClusterConfig cluster)
        => cluster.ServicePort is { } port ? Format(cluster.Service ?? cluster.Name, port, cluster.Subset) : null;

    /// <summary>
    /// Reads an outbound name back into its parts, as Istio's ParseSubsetKey does: the port must be a number from 1 to
    /// 65535, and a host that still contains <c>_.</c> makes the name unparseable. Subset is empty when there is none.
    /// </summary>
    public static bool TryParse(string name, out int port, out string subset, out string service)
    {
        port = 0;
        subset = service = "";
        if (!name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var rest = name.AsSpan(Prefix.Length);
        var portEnd = rest.IndexOf(Separator, StringComparison.Ordinal);
        if (portEnd <= 0 || !int.TryParse(rest[..portEnd], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            return false;
        }
        rest = rest[(portEnd + Separator.Length)..];
        var subsetEnd = rest.IndexOf(Separator, StringComparison.Ordinal);
        if (subsetEnd < 0)
        {
            return false;
        }
        var host = rest[(subsetEnd + Separator.Length)..];
        if (host.IsEmpty || host.Contains(Separator, StringComparison.Ordinal))
        {
            return false;
        }
        subset = rest[..subsetEnd].ToString();
        service = host.ToString();
        return true;
    }

    /// <summary>Whether a subset name is a DNS label (RFC 1123, as Istio's DestinationRule subsets are): 1-63 letters, digits and '-', not at either end.</summary>
    public static bool IsValidSubset(string subset)
    {
        if (subset.Length is 0 or > MaxSubsetLength || subset[0] == '-' || subset[^1] == '-')
        {
            return false;
        }
        foreach (var c in subset)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return false;
            }
        }
        return true;
    }
}

using MeshProxy.Configuration;
using MeshProxy.Upstream;

namespace MeshProxy.LoadBalancing;

/// <summary>
/// Istio's locality failover priorities, derived from this proxy's locality (istiod's applyLocalityFailover and
/// util.LbPriority) or from failoverPriority labels (applyFailoverPriorities), then compacted to 0..N without gaps.
/// </summary>
internal static class LocalityPriorityAssigner
{
    public const string RegionLabel = "topology.kubernetes.io/region";
    public const string ZoneLabel = "topology.kubernetes.io/zone";
    public const string SubzoneLabel = "topology.istio.io/subzone";
    public const string NetworkLabel = "topology.istio.io/network";

    /// <summary>The compacted priority of each endpoint, in the order given.</summary>
    public static int[] Assign(IReadOnlyList<EndpointState> endpoints, LocalityConfig client, IReadOnlyList<string> failoverPriority)
    {
        var raw = new int[endpoints.Count];
        for (var i = 0; i < raw.Length; i++)
        {
            raw[i] = failoverPriority.Count == 0
                ? LocalityPriority(client, endpoints[i].Locality)
                : LabelPriority(client, endpoints[i], failoverPriority);
        }
        var levels = raw.Distinct().Order().ToArray();
        for (var i = 0; i < raw.Length; i++)
        {
            raw[i] = Array.BinarySearch(levels, raw[i]);
        }
        return raw;
    }

    /// <summary>util.LbPriority: 0 same region, zone and subzone; 1 same region and zone; 2 same region; 3 otherwise.</summary>
    public static int LocalityPriority(LocalityConfig client, LocalityConfig endpoint)
    {
        if (client.Region != endpoint.Region)
        {
            return 3;
        }
        if (client.Zone != endpoint.Zone)
        {
            return 2;
        }
        return client.Subzone == endpoint.Subzone ? 0 : 1;
    }

    /// <summary>
    /// failoverPriority: with N keys, the first mismatching key j gives N − j; all match gives 0. A key written
    /// "key=value" compares the endpoint with value instead of with this proxy. When the first key is the network
    /// label and it mismatches, the endpoint goes below every same-network one (N is added) and the remaining keys
    /// still order it, as istiod does.
    /// </summary>
    public static int LabelPriority(LocalityConfig client, EndpointState endpoint, IReadOnlyList<string> keys)
    {
        var lowest = keys.Count;
        var adjust = 0;
        for (var j = 0; j < keys.Count; j++)
        {
            var (label, literal) = Split(keys[j]);
            var wanted = literal ?? ClientValue(client, label);
            if (wanted == EndpointValue(endpoint, label))
            {
                continue;
            }
            if (j == 0 && label == NetworkLabel)
            {
                adjust = lowest;
                continue;
            }
            return lowest - j + adjust;
        }
        return adjust;
    }

    private static (string Label, string? Literal) Split(string key)
    {
        var equals = key.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? (key, null) : (key[..equals], key[(equals + 1)..]);
    }

    private static string ClientValue(LocalityConfig client, string label) => LocalityValue(client, label) ?? "";

    private static string EndpointValue(EndpointState endpoint, string label)
    {
        if (LocalityValue(endpoint.Locality, label) is { } fromLocality)
        {
            return fromLocality;
        }
        foreach (var (key, value) in endpoint.Metadata)
        {
            if (key == label)
            {
                return value;
            }
        }
        return "";
    }

    private static string? LocalityValue(LocalityConfig locality, string label) => label switch
    {
        RegionLabel => locality.Region,
        ZoneLabel => locality.Zone,
        SubzoneLabel => locality.Subzone,
        _ => null,
    };
}

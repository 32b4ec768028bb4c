using MeshProxy.Configuration;

namespace MeshProxy.LoadBalancing;

/// <summary>
/// Istio's locality patterns ("region", "region/zone", "region/zone/subzone", "*" or a trailing "/*"), matched as
/// istiod's util.LocalityMatch does: a missing or "*" zone/subzone matches anything; region must match or be "*".
/// </summary>
public static class LocalityPattern
{
    /// <summary>Why a pattern is malformed, or null when it is fine.</summary>
    public static string? Validate(string pattern)
    {
        var parts = pattern.Split('/');
        if (parts.Length > 3)
        {
            return $"'{pattern}' has more than three parts (region/zone/subzone)";
        }
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i].Length == 0)
            {
                return $"'{pattern}' has an empty part";
            }
            if (parts[i].Contains('*', StringComparison.Ordinal) && (parts[i] != "*" || i != parts.Length - 1))
            {
                return $"'{pattern}': '*' may only stand alone as the last part";
            }
        }
        return null;
    }

    public static bool Matches(string pattern, LocalityConfig locality)
    {
        var parts = pattern.Split('/');
        var region = parts[0];
        var zone = parts.Length > 1 ? parts[1] : "";
        var subzone = parts.Length > 2 ? parts[2] : "";
        return (region == "*" || region == locality.Region)
            && (zone is "*" or "" || zone == locality.Zone)
            && (subzone is "*" or "" || subzone == locality.Subzone);
    }
}

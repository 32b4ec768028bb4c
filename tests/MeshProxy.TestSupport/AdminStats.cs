using System.Globalization;
using System.Net.Http;

namespace MeshProxy.TestSupport;

/// <summary>Reads a proxy's admin /stats ("name: value" lines) and /clusters (Envoy's "cluster::endpoint::stat::value").</summary>
public static class AdminStats
{
    public static async Task<IReadOnlyDictionary<string, long>> GetAsync(HttpClient client, ProxyTestHost proxy)
    {
        var text = await client.GetStringAsync(proxy.AdminUri("/stats"));
        var stats = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.LastIndexOf(": ", StringComparison.Ordinal);
            if (colon > 0 && long.TryParse(line.AsSpan(colon + 2), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                stats[line[..colon]] = value;
            }
        }
        return stats;
    }

    /// <summary>One stat, 0 when absent: <c>cluster.backend.outlier_detection.ejections_active</c>.</summary>
    public static async Task<long> GetAsync(HttpClient client, ProxyTestHost proxy, string name) =>
        (await GetAsync(client, proxy)).GetValueOrDefault(name);

    /// <summary>The health_flags of an endpoint in /clusters ("healthy", "/failed_active_hc", ...).</summary>
    public static async Task<string> HealthFlagsAsync(HttpClient client, ProxyTestHost proxy, string cluster, System.Net.IPEndPoint endpoint)
    {
        var prefix = $"{cluster}::{endpoint}::health_flags::";
        var text = await client.GetStringAsync(proxy.AdminUri("/clusters"));
        return text.Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..] ?? "";
    }

    /// <summary>One stat now, 0 when absent.</summary>
    public static async Task<long> GetAsync(ProxyTestHost proxy, string name)
    {
        using var client = new HttpClient();
        return await GetAsync(client, proxy, name);
    }

    /// <summary>Polls until the stat reaches <paramref name="expected"/> (counters move as connections end) or 10 s pass; returns the last value.</summary>
    public static async Task<long> WaitForAsync(ProxyTestHost proxy, string name, long expected)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        long value;
        do
        {
            value = await GetAsync(proxy, name);
            if (value >= expected)
            {
                return value;
            }
            await Task.Delay(50);
        }
        while (DateTimeOffset.UtcNow < deadline);
        return value;
    }
}

using System.Globalization;

namespace MeshProxy.TestSupport;

/// <summary>Reads counters from a proxy's admin /stats ("cluster.backend.upstream_rq_retry: 3").</summary>
public static class AdminStats
{
    /// <summary>The counter's value now; 0 when it is not listed.</summary>
    public static async Task<long> GetAsync(ProxyTestHost host, string name)
    {
        using var http = new HttpClient();
        var stats = await http.GetStringAsync(host.AdminUri("/stats"));
        var line = stats.Split('\n').FirstOrDefault(l => l.StartsWith(name + ": ", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[(name.Length + 2)..], CultureInfo.InvariantCulture);
    }

    /// <summary>Polls until the counter reaches <paramref name="expected"/> (counters move as connections end) or 10 s pass; returns the last value.</summary>
    public static async Task<long> WaitForAsync(ProxyTestHost host, string name, long expected)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        long value;
        do
        {
            value = await GetAsync(host, name);
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

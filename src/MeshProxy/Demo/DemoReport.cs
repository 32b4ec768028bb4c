using System.Globalization;

namespace MeshProxy.Cli.Demo;

/// <summary>Turns the demo's samples into readable tables: per endpoint, per cluster split, latency, errors.</summary>
internal static class DemoReport
{
    public static void Write(TextWriter output, IReadOnlyList<DemoSample> samples, IReadOnlyList<DemoEndpoint> endpoints, TimeSpan duration)
    {
        var total = samples.Count;
        output.WriteLine();
        output.WriteLine($"Sent {total:N0} requests through the sidecar in {duration.TotalSeconds:0.#} s ({total / duration.TotalSeconds:N0} requests/s, {DemoLoad.Concurrency} concurrent).");
        output.WriteLine();

        output.WriteLine("Requests per endpoint");
        var rows = new List<string[]> { new[] { "service", "endpoint", "zone", "requests", "share of service" } };
        foreach (var service in endpoints.GroupBy(e => e.Service))
        {
            var serviceCount = samples.Count(s => service.Any(e => e.Name == s.Endpoint));
            foreach (var endpoint in service)
            {
                var count = samples.Count(s => s.Endpoint == endpoint.Name);
                rows.Add([service.Key, endpoint.Name, endpoint.Zone, count.ToString("N0", CultureInfo.InvariantCulture), Percent(count, serviceCount)]);
            }
        }
        WriteTable(output, rows);

        output.WriteLine();
        output.WriteLine($"Split of host \"reviews\" (configured {DemoTopology.ReviewsV1Weight}/{DemoTopology.ReviewsV2Weight})");
        var reviews = samples.Where(s => s.Host == "reviews").ToList();
        rows = [["cluster", "requests", "observed share", "configured"]];
        foreach (var (cluster, weight) in new[] { ("reviews-v1", DemoTopology.ReviewsV1Weight), ("reviews-v2", DemoTopology.ReviewsV2Weight) })
        {
            var count = reviews.Count(s => s.Endpoint.StartsWith(cluster, StringComparison.Ordinal));
            rows.Add([cluster, count.ToString("N0", CultureInfo.InvariantCulture), Percent(count, reviews.Count), $"{weight}%"]);
        }
        WriteTable(output, rows);

        output.WriteLine();
        output.WriteLine("Latency seen by the client, through the sidecar (ms)");
        rows = [["host", "p50", "p90", "p99", "max"]];
        foreach (var host in new[] { "catalog", "reviews" })
        {
            var latencies = samples.Where(s => s.Host == host).Select(s => s.Milliseconds).Order().ToArray();
            rows.Add([host, Quantile(latencies, 0.50), Quantile(latencies, 0.90), Quantile(latencies, 0.99), latencies.Length == 0 ? "-" : latencies[^1].ToString("0.0", CultureInfo.InvariantCulture)]);
        }
        WriteTable(output, rows);

        output.WriteLine();
        output.WriteLine("Errors");
        var errors = samples.Where(s => s.StatusCode is < 200 or >= 400).GroupBy(s => (s.StatusCode, s.Endpoint)).OrderByDescending(g => g.Count()).ToList();
        if (errors.Count == 0)
        {
            output.WriteLine("  none");
        }
        else
        {
            rows = [["status", "from", "count", "share of all"]];
            foreach (var group in errors)
            {
                var status = group.Key.StatusCode == 0 ? "connection error" : group.Key.StatusCode.ToString(CultureInfo.InvariantCulture);
                rows.Add([status, group.Key.Endpoint, group.Count().ToString("N0", CultureInfo.InvariantCulture), Percent(group.Count(), total)]);
            }
            WriteTable(output, rows);
            output.WriteLine("  (reviews-v2 is a canary that fails 2% of its requests on purpose; without a retry policy the sidecar passes those 503s on.)");
        }
    }

    private static string Percent(int part, int whole) => whole == 0 ? "-" : (100.0 * part / whole).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string Quantile(double[] sorted, double q)
    {
        if (sorted.Length == 0)
        {
            return "-";
        }
        var index = (int)Math.Ceiling(q * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)].ToString("0.0", CultureInfo.InvariantCulture);
    }

    private static void WriteTable(TextWriter output, List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        for (var r = 0; r < rows.Count; r++)
        {
            var cells = rows[r].Select((cell, c) => c == 0 || c == 1 && rows[0].Length > 4 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]));
            output.WriteLine("  " + string.Join("   ", cells));
            if (r == 0)
            {
                output.WriteLine("  " + string.Join("   ", widths.Select(w => new string('-', w))));
            }
        }
    }
}

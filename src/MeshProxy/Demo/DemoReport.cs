using System.Globalization;

namespace MeshProxy.Cli.Demo;

/// <summary>Turns the demo's samples into readable tables: per endpoint, per cluster split, latency, errors.</summary>
internal static class DemoReport
{
    public static void Write(TextWriter output, IReadOnlyList<DemoSample> samples, IReadOnlyList<DemoEndpoint> endpoints, TimeSpan duration, DemoFailover failover)
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

        WriteFailover(output, samples, endpoints, duration, failover);

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
            rows.Add([host, .. LatencyCells(samples.Where(s => s.Host == host).Select(s => s.Milliseconds))]);
        }
        WriteTable(output, rows);

        output.WriteLine();
        output.WriteLine("Errors");
        var errors = samples.Where(s => s.Failed).GroupBy(s => (s.StatusCode, s.Endpoint)).OrderByDescending(g => g.Count()).ToList();
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
            output.WriteLine("  (catalog's 503s are requests that reached a stopped instance before outlier detection ejected it; reviews-v2 is a canary");
            output.WriteLine("  that fails 2% of its requests on purpose; without a retry policy the sidecar passes those 503s on.)");
        }
    }

    /// <summary>
    /// The failover act: the failover service's traffic by zone in each phase (before the stop, while the local
    /// instances are down, after they are back), how soon traffic left and returned, and the sidecar's counters.
    /// </summary>
    private static void WriteFailover(TextWriter output, IReadOnlyList<DemoSample> samples, IReadOnlyList<DemoEndpoint> endpoints, TimeSpan duration, DemoFailover failover)
    {
        var service = DemoTopology.FailoverService;
        var local = DemoTopology.LocalZone;
        var zoneOf = endpoints.Where(e => e.Service == service).ToDictionary(e => e.Name, e => e.Zone, StringComparer.Ordinal);
        var zones = zoneOf.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var traffic = samples.Where(s => s.Host == service).OrderBy(s => s.At).ToList();
        var end = duration.TotalSeconds;
        var backAt = failover.StartedAt ?? end;

        output.WriteLine();
        output.WriteLine($"Failover of host \"{service}\": the client runs in {local}; priorities follow localities ({string.Join(" first, then ", zones)})");
        List<string[]> rows = [["phase", "from", "to", "requests", .. zones, "errors"]];
        foreach (var (name, from, to) in new[] { ("before", 0, failover.StoppedAt), ($"{local} down", failover.StoppedAt, backAt), ($"{local} back", backAt, end) })
        {
            if (to <= from)
            {
                continue;
            }
            var phase = traffic.Where(s => s.At >= from && s.At < to).ToList();
            var row = new List<string> { name, Seconds(from), Seconds(to), phase.Count.ToString("N0", CultureInfo.InvariantCulture) };
            row.AddRange(zones.Select(z => Percent(phase.Count(s => !s.Failed && zoneOf.GetValueOrDefault(s.Endpoint) == z), phase.Count)));
            row.Add(phase.Count(s => s.Failed).ToString("N0", CultureInfo.InvariantCulture));
            rows.Add([.. row]);
        }
        WriteTable(output, rows);

        var stopped = failover.Stopped.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        var lastLocal = traffic.LastOrDefault(s => s.At >= failover.StoppedAt && s.At < backAt && (s.Failed || stopped.Contains(s.Endpoint)));
        output.WriteLine(lastLocal == default
            ? $"  No request reached a stopped {local} instance."
            : $"  Traffic left {local} {Milliseconds(lastLocal.At - failover.StoppedAt)} after the stop: outlier detection ejected each stopped"
                + " instance after 3 failed requests, and health checks kept them out.");
        if (failover.StartedAt is { } startedAt)
        {
            var firstBack = traffic.FirstOrDefault(s => s.At >= startedAt && !s.Failed && stopped.Contains(s.Endpoint));
            output.WriteLine(firstBack == default
                ? $"  {local} did not get traffic back before the run ended."
                : $"  Traffic came back to {local} {Milliseconds(firstBack.At - startedAt)} after its instances started (two passing health checks, 500 ms apart).");
        }
        var check = failover.Stats.HealthCheck;
        var outlier = failover.Stats.OutlierDetection;
        output.WriteLine($"  Sidecar counters for {service}: health checks {check.Attempts:N0} ({check.Failures:N0} failed), "
            + $"outlier ejections {outlier.EjectionsEnforcedTotal:N0} (consecutive 5xx), healthy now {check.Healthy} of {zoneOf.Count}.");
    }

    private static string Seconds(double seconds) => seconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    private static string Milliseconds(double seconds) => (seconds * 1000).ToString("N0", CultureInfo.InvariantCulture) + " ms";

    private static string Percent(int part, int whole) => whole == 0 ? "-" : (100.0 * part / whole).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    /// <summary>p50, p90, p99 and max of the latencies, in ms ("-" when there are none).</summary>
    internal static string[] LatencyCells(IEnumerable<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        return [Quantile(sorted, 0.50), Quantile(sorted, 0.90), Quantile(sorted, 0.99), sorted.Length == 0 ? "-" : sorted[^1].ToString("0.0", CultureInfo.InvariantCulture)];
    }

    private static string Quantile(double[] sorted, double q)
    {
        if (sorted.Length == 0)
        {
            return "-";
        }
        var index = (int)Math.Ceiling(q * sorted.Length) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Length - 1)].ToString("0.0", CultureInfo.InvariantCulture);
    }

    internal static void WriteTable(TextWriter output, List<string[]> rows)
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

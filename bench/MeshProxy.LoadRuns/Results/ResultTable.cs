using System.Globalization;
using System.Text;

namespace MeshProxy.LoadRuns.Results;

/// <summary>Prints the summary as one aligned table per scenario.</summary>
internal static class ResultTable
{
    public static string Format(IReadOnlyList<SummaryRow> rows, IReadOnlyDictionary<string, string> scenarioTitles, IReadOnlySet<string> bulkScenarios)
    {
        var text = new StringBuilder();
        foreach (var (scenario, title) in scenarioTitles)
        {
            var scenarioRows = rows.Where(r => r.Scenario == scenario).ToList();
            if (scenarioRows.Count == 0)
            {
                continue;
            }
            var bulk = bulkScenarios.Contains(scenario);
            var multiRound = scenarioRows.Any(r => r.Rounds > 1);
            string[] header =
            [
                "contender", bulk ? "MiB/s" : "rps", .. multiRound ? new[] { "spread" } : [], bulk ? "p50 ms/dl" : "p50 ms", bulk ? "p99 ms/dl" : "p99 ms",
                "CPU s", bulk ? "CPU µs/MiB" : "CPU µs/req", .. bulk ? Array.Empty<string>() : ["vCPU/krps"],
                "RSS peak MiB", "RSS idle MiB", "×direct", "×nginx", "×haproxy", "CPU÷nginx", "errors", "noise",
            ];
            var table = new List<string[]> { header };
            foreach (var row in scenarioRows)
            {
                if (row.Failure is not null)
                {
                    table.Add([row.Contender, "failed: " + row.Failure.Split('\n')[0]]);
                    continue;
                }
                table.Add(
                [
                    row.Contender, Number(row.Throughput, bulk ? "0" : "0"), .. multiRound ? new[] { Number(row.ThroughputSpreadPercent, "0.0") + "%" } : [],
                    Number(row.P50Ms, "0.000"), Number(row.P99Ms, "0.000"),
                    Number(row.CpuSeconds, "0.00"), Number(row.CpuMicrosPerUnit, "0.0"), .. bulk ? Array.Empty<string>() : [Number(row.VcpuPer1000Rps, "0.000")],
                    Number(row.PeakRssMiB, "0.0"), Number(row.IdleRssMiB, "0.0"),
                    Number(row.VsDirect, "0.00"), Number(row.VsNginx, "0.00"), Number(row.VsHaproxy, "0.00"), Number(row.CpuVsNginx, "0.00"),
                    row.Errors.ToString(CultureInfo.InvariantCulture), Number(row.NoiseCores, "0.00"),
                ]);
            }
            text.AppendLine().AppendLine("== " + title);
            AppendAligned(text, table);
        }
        return text.ToString();
    }

    private static void AppendAligned(StringBuilder text, List<string[]> table)
    {
        var columns = table[0].Length;
        var widths = new int[columns];
        foreach (var row in table.Where(r => r.Length == columns))
        {
            for (var i = 0; i < columns; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }
        foreach (var row in table)
        {
            if (row.Length != columns)
            {
                text.AppendLine(row[0].PadRight(widths[0]) + "  " + string.Join("  ", row[1..]));
                continue;
            }
            var line = new StringBuilder(row[0].PadRight(widths[0]));
            for (var i = 1; i < columns; i++)
            {
                line.Append("  ").Append(row[i].PadLeft(widths[i]));
            }
            text.AppendLine(line.ToString());
        }
    }

    /// <summary>A value in the given format; "-" for none (e.g. no latency from a TLS handshake loop).</summary>
    public static string Number(double? value, string format)
        => value is { } v && !double.IsNaN(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "-";
}

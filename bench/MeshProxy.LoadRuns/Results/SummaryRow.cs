namespace MeshProxy.LoadRuns.Results;

/// <summary>
/// One contender under one scenario over all rounds: medians of every number, the spread of the throughput, and the
/// ratios against direct, nginx and HAProxy.
/// </summary>
internal sealed record SummaryRow
{
    public required string Scenario { get; init; }

    public required string Contender { get; init; }

    public required int Rounds { get; init; }

    /// <summary>Requests per second, or MiB per second for bulk.</summary>
    public double Throughput { get; init; }

    /// <summary>(max − min) / median of the throughput over the rounds, in percent; 0 with one round.</summary>
    public double ThroughputSpreadPercent { get; init; }

    public double P50Ms { get; init; }

    public double P99Ms { get; init; }

    public double? CpuSeconds { get; init; }

    public double? CpuMicrosPerUnit { get; init; }

    public double? VcpuPer1000Rps { get; init; }

    public double? PeakRssMiB { get; init; }

    public double? IdleRssMiB { get; init; }

    public long Errors { get; init; }

    /// <summary>The highest noise (cores used outside the run) over the rounds.</summary>
    public double? NoiseCores { get; init; }

    public double? VsDirect { get; init; }

    public double? VsNginx { get; init; }

    public double? VsHaproxy { get; init; }

    /// <summary>CPU per request (per MiB for bulk) divided by nginx's.</summary>
    public double? CpuVsNginx { get; init; }

    public string? Failure { get; init; }

    public static List<SummaryRow> From(IReadOnlyList<CellResult> cells)
    {
        var rows = new List<SummaryRow>();
        foreach (var scenario in cells.Select(c => c.Scenario).Distinct())
        {
            var byContender = cells.Where(c => c.Scenario == scenario).GroupBy(c => c.Contender).ToList();
            var medians = byContender.ToDictionary(g => g.Key, g => Aggregate(scenario, g.Key, [.. g]));
            foreach (var row in medians.Values)
            {
                rows.Add(row with
                {
                    VsDirect = Ratio(row.Throughput, medians.GetValueOrDefault("direct")?.Throughput),
                    VsNginx = Ratio(row.Throughput, medians.GetValueOrDefault("nginx")?.Throughput),
                    VsHaproxy = Ratio(row.Throughput, medians.GetValueOrDefault("haproxy")?.Throughput),
                    CpuVsNginx = Ratio(row.CpuMicrosPerUnit, medians.GetValueOrDefault("nginx")?.CpuMicrosPerUnit),
                });
            }
        }
        return rows;
    }

    private static SummaryRow Aggregate(string scenario, string contender, IReadOnlyList<CellResult> cells)
    {
        var ok = cells.Where(c => c.Failure is null).ToList();
        if (ok.Count == 0)
        {
            return new SummaryRow { Scenario = scenario, Contender = contender, Rounds = 0, Throughput = double.NaN, P50Ms = double.NaN, P99Ms = double.NaN, Failure = cells[0].Failure };
        }
        var throughputs = ok.Select(c => c.Load.Throughput).ToList();
        var median = Percentiles.Median(throughputs);
        return new SummaryRow
        {
            Scenario = scenario,
            Contender = contender,
            Rounds = ok.Count,
            Throughput = median,
            ThroughputSpreadPercent = median > 0 ? (throughputs.Max() - throughputs.Min()) / median * 100 : 0,
            P50Ms = Percentiles.Median(ok.Select(c => c.Load.P50Ms)),
            P99Ms = Percentiles.Median(ok.Select(c => c.Load.P99Ms)),
            CpuSeconds = MedianOrNull(ok.Select(c => c.ProxyCpuSeconds)),
            CpuMicrosPerUnit = MedianOrNull(ok.Select(c => c.CpuMicrosPerUnit)),
            VcpuPer1000Rps = MedianOrNull(ok.Select(c => c.VcpuPer1000Rps)),
            PeakRssMiB = MedianOrNull(ok.Select(c => c.PeakRssMiB)),
            IdleRssMiB = MedianOrNull(ok.Select(c => c.IdleRssMiB)),
            Errors = ok.Sum(c => c.Load.Errors),
            NoiseCores = ok.Max(c => c.ForeignCores),
        };
    }

    private static double? MedianOrNull(IEnumerable<double?> values)
    {
        var present = values.Where(v => v is not null).Select(v => v!.Value).ToList();
        return present.Count == 0 ? null : Percentiles.Median(present);
    }

    private static double? Ratio(double? value, double? reference)
        => value is { } v && reference is { } r && r > 0 && !double.IsNaN(v) ? v / r : null;
}

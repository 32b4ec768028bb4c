namespace MeshProxy.LoadRuns.Results;

/// <summary>One contender under one scenario in one round: the load generator's numbers and the contender's resources.</summary>
internal sealed record CellResult
{
    public required int Round { get; init; }

    public required string Scenario { get; init; }

    public required string Contender { get; init; }

    public required LoadResult Load { get; init; }

    /// <summary>CPU seconds (user + system, whole process tree) the contender used during the cell; null for direct.</summary>
    public double? ProxyCpuSeconds { get; init; }

    /// <summary>CPU seconds the backend used during the cell.</summary>
    public double BackendCpuSeconds { get; init; }

    /// <summary>Peak summed VmRSS of the contender's processes during the cell, in MiB.</summary>
    public double? PeakRssMiB { get; init; }

    /// <summary>Summed VmRSS of the contender's processes after start, before any load, in MiB.</summary>
    public double? IdleRssMiB { get; init; }

    /// <summary>Proxy CPU per request in microseconds (per MiB for bulk).</summary>
    public double? CpuMicrosPerUnit { get; init; }

    /// <summary>Istio's metric: proxy CPU seconds / duration / (rps / 1000).</summary>
    public double? VcpuPer1000Rps { get; init; }

    /// <summary>Average cores used by processes outside the run during the cell (see NoiseMeter); near 0 on a quiet machine.</summary>
    public double? ForeignCores { get; init; }

    public string? Failure { get; init; }
}

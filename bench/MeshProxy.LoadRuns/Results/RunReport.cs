using System.Text.Json;
using System.Text.Json.Serialization;

namespace MeshProxy.LoadRuns.Results;

/// <summary>Everything a later run needs to be compared with this one; written as JSON (bench/results/latest.json).</summary>
internal sealed record RunReport
{
    public required DateTimeOffset Date { get; init; }

    public required string Commit { get; init; }

    public required IReadOnlyDictionary<string, string> Machine { get; init; }

    public required IReadOnlyDictionary<string, string> Tools { get; init; }

    public required RunOptions Options { get; init; }

    public required string CpuPlan { get; init; }

    public required string Backend { get; init; }

    public required IReadOnlyDictionary<string, string> Contenders { get; init; }

    public required IReadOnlyDictionary<string, string> Scenarios { get; init; }

    public required IReadOnlyList<SummaryRow> Summary { get; init; }

    public required IReadOnlyList<CellResult> Cells { get; init; }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public async Task WriteAsync(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(this, JsonOptions));
    }
}

using System.Text.Json;
using MeshProxy.LoadRuns.Commands;
using MeshProxy.LoadRuns.Infrastructure;
using MeshProxy.LoadRuns.Results;

namespace MeshProxy.LoadRuns.Tools;

/// <summary>Runs <see cref="BulkClientCommand"/> as its own process (so its CPU is not the orchestrator's) and reads its report.</summary>
internal static class BulkClient
{
    public static async Task<LoadResult> RunAsync(int port, string path, int connections, double seconds, RunContext context, string logName)
    {
        var (file, arguments) = SelfCommand.For("bulk-client", "--target", $"127.0.0.1:{port}", "--path", path,
            "--connections", connections.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--seconds", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var output = await ToolRun.RunAsync("bulk-client", file, arguments, seconds, context, logName);
        var json = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last(l => l.StartsWith('{'));
        var report = JsonSerializer.Deserialize<BulkReport>(json) ?? throw new FormatException("empty bulk report");
        const double MiB = 1024 * 1024;
        return new LoadResult(report.Bytes / MiB / report.Seconds, report.Downloads, report.Bytes, report.Seconds, report.P50Ms, report.P99Ms, report.Errors);
    }
}

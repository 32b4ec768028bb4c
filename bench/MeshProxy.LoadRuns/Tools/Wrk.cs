using System.Globalization;
using System.Text.RegularExpressions;
using MeshProxy.LoadRuns.Results;

namespace MeshProxy.LoadRuns.Tools;

/// <summary>wrk: closed-loop HTTP/1.1 keep-alive load with a latency distribution (--latency).</summary>
internal static partial class Wrk
{
    public const string Executable = "/usr/bin/wrk";

    public static async Task<LoadResult> RunAsync(string url, int threads, int connections, double seconds, RunContext context, string logName,
        IReadOnlyList<string>? prefix = null)
    {
        var output = await ToolRun.RunAsync("wrk", Executable,
            [$"-t{threads}", $"-c{connections}", $"-d{seconds.ToString(CultureInfo.InvariantCulture)}s", "--latency", url], seconds, context, logName, prefix);
        return Parse(output);
    }

    public static LoadResult Parse(string output)
    {
        var summary = Summary().Match(output);
        var rps = RequestsPerSecond().Match(output);
        if (!summary.Success || !rps.Success)
        {
            throw new FormatException("Could not read wrk's output:\n" + output);
        }
        long errors = 0;
        if (Non2xx().Match(output) is { Success: true } non2xx)
        {
            errors += long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture);
        }
        if (SocketErrors().Match(output) is { Success: true } socket)
        {
            for (var i = 1; i <= 4; i++)
            {
                errors += long.Parse(socket.Groups[i].Value, CultureInfo.InvariantCulture);
            }
        }
        return new LoadResult(
            Throughput: double.Parse(rps.Groups[1].Value, CultureInfo.InvariantCulture),
            Requests: long.Parse(summary.Groups[1].Value, CultureInfo.InvariantCulture),
            Bytes: 0,
            Seconds: ParseDuration(summary.Groups[2].Value, summary.Groups[3].Value) / 1000,
            P50Ms: Percentile(output, "50"),
            P99Ms: Percentile(output, "99"),
            Errors: errors);
    }

    private static double Percentile(string output, string percentile)
    {
        foreach (Match match in LatencyLine().Matches(output))
        {
            if (match.Groups[1].Value == percentile)
            {
                return ParseDuration(match.Groups[2].Value, match.Groups[3].Value);
            }
        }
        return double.NaN;
    }

    /// <summary>wrk's durations ("290.00us", "1.23ms", "2.00s", "1.00m") in milliseconds.</summary>
    private static double ParseDuration(string value, string unit)
    {
        var number = double.Parse(value, CultureInfo.InvariantCulture);
        return unit switch
        {
            "us" => number / 1000,
            "ms" => number,
            "s" => number * 1000,
            "m" => number * 60_000,
            "h" => number * 3_600_000,
            _ => throw new FormatException($"unknown wrk unit '{unit}'"),
        };
    }

    [GeneratedRegex(@"^\s*(50|75|90|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", RegexOptions.Multiline)]
    private static partial Regex LatencyLine();

    [GeneratedRegex(@"(\d+) requests in ([\d.]+)(us|ms|s|m|h),")]
    private static partial Regex Summary();

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex Non2xx();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();
}

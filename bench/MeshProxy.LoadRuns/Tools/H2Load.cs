using System.Globalization;
using System.Text.RegularExpressions;
using MeshProxy.LoadRuns.Results;

namespace MeshProxy.LoadRuns.Tools;

/// <summary>
/// h2load at a fixed request rate (--rps per client, -D seconds): HTTP/1.1 (--h1), or h2c with up to
/// <c>streams</c> concurrent requests per connection. Latency percentiles come from its
/// per-request log (--log-file: start time, status, microseconds to the end of the response).
/// </summary>
internal static partial class H2Load
{
    public const string Executable = "/usr/bin/h2load";

    public static async Task<LoadResult> RunAsync(string url, int clients, int ratePerClient, double seconds, RunContext context, string logName,
        IReadOnlyList<string>? prefix = null, int streams = 0)
    {
        var requestLog = Path.Combine(context.DirectoryFor("tools"), logName + ".requests.tsv");
        File.Delete(requestLog);
        var output = await ToolRun.RunAsync("h2load", Executable,
            [streams > 0 ? $"-m{streams}" : "--h1", $"-c{clients}", "-t1", $"--rps={ratePerClient}", $"-D{seconds.ToString(CultureInfo.InvariantCulture)}", $"--log-file={requestLog}", url],
            seconds, context, logName, prefix);
        return Parse(output, File.Exists(requestLog) ? await File.ReadAllLinesAsync(requestLog) : []);
    }

    public static LoadResult Parse(string output, IReadOnlyList<string> requestLog)
    {
        var finished = Finished().Match(output);
        var requests = Requests().Match(output);
        if (!finished.Success || !requests.Success)
        {
            throw new FormatException("Could not read h2load's output:\n" + output);
        }
        var latencies = new List<double>(requestLog.Count);
        long non2xx = 0;
        foreach (var line in requestLog)
        {
            var columns = line.Split('\t');
            if (columns.Length < 3)
            {
                continue;
            }
            if (!columns[1].StartsWith('2'))
            {
                non2xx++;
            }
            latencies.Add(double.Parse(columns[2], CultureInfo.InvariantCulture) / 1000);
        }
        var failed = long.Parse(requests.Groups[2].Value, CultureInfo.InvariantCulture)
            + long.Parse(requests.Groups[3].Value, CultureInfo.InvariantCulture)
            + long.Parse(requests.Groups[4].Value, CultureInfo.InvariantCulture);
        return new LoadResult(
            Throughput: double.Parse(finished.Groups[2].Value, CultureInfo.InvariantCulture),
            Requests: long.Parse(requests.Groups[1].Value, CultureInfo.InvariantCulture),
            Bytes: 0,
            Seconds: double.Parse(finished.Groups[1].Value, CultureInfo.InvariantCulture),
            P50Ms: Percentiles.Of(latencies, 50),
            P99Ms: Percentiles.Of(latencies, 99),
            Errors: failed + non2xx);
    }

    [GeneratedRegex(@"finished in ([\d.]+)s, ([\d.]+) req/s")]
    private static partial Regex Finished();

    [GeneratedRegex(@"requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout")]
    private static partial Regex Requests();
}

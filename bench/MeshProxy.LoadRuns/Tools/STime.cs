using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using MeshProxy.LoadRuns.Infrastructure;
using MeshProxy.LoadRuns.Results;

namespace MeshProxy.LoadRuns.Tools;

/// <summary>
/// openssl s_time: new TLS connections one after another, each with the client SVID, each carrying one
/// <c>GET / HTTP/1.0</c> (-www /) read to the end, so the server finishes its side of every handshake (with TLS 1.3
/// a client that hangs up right after its Finished leaves the server's half undone). <c>-new</c> makes every
/// connection a full handshake; <c>-reuse</c> offers the first connection's session on every later one.
/// Several s_time processes run side by side (one is a closed loop of one connection); their counts are summed
/// over the wall time. s_time prints '*' per new session and 'r' per resumed one: both are counted.
/// </summary>
internal static partial class STime
{
    public const string Executable = "/usr/bin/openssl";

    public sealed record Result(LoadResult Load, long Resumed);

    public static async Task<Result> RunAsync(int port, bool reuse, int clients, double seconds, Certificates certificates, RunContext context, string logName)
    {
        var whole = (int)Math.Ceiling(seconds);
        string[] arguments =
        [
            "s_time", "-connect", $"127.0.0.1:{port}", reuse ? "-reuse" : "-new", "-www", "/", "-time", whole.ToString(CultureInfo.InvariantCulture),
            "-cert", Path.Combine(certificates.Client, "svid.pem"), "-key", Path.Combine(certificates.Client, "svid-key.pem"),
            "-CAfile", Path.Combine(certificates.Client, "bundle.pem"),
        ];
        var stopwatch = Stopwatch.StartNew();
        var outputs = await Task.WhenAll(Enumerable.Range(0, clients).Select(i =>
            ToolRun.RunAsync("s_time", Executable, arguments, whole + 1, context, $"{logName}.{i}")));
        var elapsed = stopwatch.Elapsed.TotalSeconds;
        long connections = 0, resumed = 0;
        foreach (var output in outputs)
        {
            var (count, reused) = Parse(output);
            connections += count;
            resumed += reused;
        }
        return new Result(new LoadResult(connections / elapsed, connections, 0, elapsed, double.NaN, double.NaN, 0), resumed);
    }

    /// <summary>The connection count of s_time's summary line, and how many of the progress marks were resumptions.</summary>
    public static (long Connections, long Resumed) Parse(string output)
    {
        var summary = Summary().Match(output);
        if (!summary.Success)
        {
            throw new FormatException("Could not read s_time's output:\n" + output);
        }
        var marks = output.Split('\n').Where(line => line.Length > 0 && line.All(c => c is '*' or 'r'));
        return (long.Parse(summary.Groups[1].Value, CultureInfo.InvariantCulture), marks.Sum(line => (long)line.Count(c => c == 'r')));
    }

    [GeneratedRegex(@"(\d+) connections in [\d.]+ real seconds")]
    private static partial Regex Summary();
}

using System.Globalization;
using MeshProxy.LoadRuns.Commands;

namespace MeshProxy.LoadRuns;

/// <summary>The knobs of one load run. Durations are in seconds; --quick shortens every one for checking the harness.</summary>
internal sealed record RunOptions
{
    public bool Quick { get; init; }

    /// <summary>Each round restarts every contender; medians over 3 rounds keep one disturbed cell from deciding a ratio.</summary>
    public int Rounds { get; init; } = 3;

    public string Pin { get; init; } = "none";

    public IReadOnlyList<string>? Contenders { get; init; }

    public IReadOnlyList<string>? Scenarios { get; init; }

    public required string MeshProxyPath { get; init; }

    public required string OutputPath { get; init; }

    /// <summary>Closed-loop load before a contender's measured cells (JIT tiering, pools), not recorded.</summary>
    public double WarmupSeconds { get; init; } = 5;

    public double KeepAliveSeconds { get; init; } = 15;

    public double FixedRateSeconds { get; init; } = 15;

    public double BulkSeconds { get; init; } = 10;

    public long BulkBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Before each cell, wait up to this long for other processes to use less than <see cref="QuietThresholdCores"/>.</summary>
    public double QuietWaitSeconds { get; init; } = 10;

    public double QuietThresholdCores { get; init; } = 0.2;

    /// <summary>Extra meshproxy contenders: "name:KEY=VALUE,KEY=VALUE", where the key "binary" names another build.</summary>
    public IReadOnlyList<string> Variants { get; init; } = [];

    /// <summary>
    /// The focused measurements, each a set of contenders and scenarios (--suite NAME; --contenders and --scenarios
    /// given as well replace the suite's): the issue each answers is in bench/README.md.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, (string Contenders, string Scenarios)> Suites = new Dictionary<string, (string, string)>
    {
        ["mtls"] = ("meshproxy-2hop,meshproxy-2hop-mtls,meshproxy-strict,haproxy-tls", "keepalive,handshake-new,handshake-reuse"),
        ["telemetry"] = ("meshproxy-telemetry-off,meshproxy-telemetry-on", "keepalive"),
        ["capture"] = ("pod-direct,meshproxy-pod-explicit,meshproxy-pod-captured", "keepalive,rate5000"),
        ["resilience"] = ("meshproxy-3ep,meshproxy-3ep-retry,meshproxy-3ep-hedge", "rate1000h2"),
    };

    public static RunOptions Parse(string[] args, string repositoryRoot)
    {
        var quick = CommandLine.Flag(args, "--quick");
        (string Contenders, string Scenarios)? suite = CommandLine.Value(args, "--suite") is { } suiteName
            ? Suites.TryGetValue(suiteName, out var found) ? found : throw new ArgumentException($"--suite: unknown '{suiteName}'; known: {string.Join(", ", Suites.Keys)}")
            : null;
        var options = new RunOptions
        {
            Quick = quick,
            Rounds = Int(args, "--rounds") ?? (quick ? 1 : 3),
            Pin = CommandLine.Value(args, "--pin") ?? "none",
            Contenders = List(args, "--contenders") ?? suite?.Contenders.Split(','),
            Scenarios = List(args, "--scenarios") ?? suite?.Scenarios.Split(','),
            MeshProxyPath = Path.GetFullPath(CommandLine.Value(args, "--meshproxy") ?? Path.Combine(repositoryRoot, "artifacts", "bench", "meshproxy", "meshproxy.dll")),
            OutputPath = Path.GetFullPath(CommandLine.Value(args, "--out") ?? Path.Combine(repositoryRoot, "bench", "results", "latest.json")),
            Variants = [.. CommandLine.Values(args, "--variant")],
        };
        if (quick)
        {
            options = options with { WarmupSeconds = 1, KeepAliveSeconds = 3, FixedRateSeconds = 3, BulkSeconds = 3, BulkBytes = 16L * 1024 * 1024, QuietWaitSeconds = 3 };
        }
        if (Double(args, "--duration") is { } seconds)
        {
            options = options with { KeepAliveSeconds = seconds, FixedRateSeconds = seconds, BulkSeconds = seconds };
        }
        if (Double(args, "--quiet-wait") is { } quietWait)
        {
            options = options with { QuietWaitSeconds = quietWait };
        }
        if (Double(args, "--warmup") is { } warmup)
        {
            options = options with { WarmupSeconds = warmup };
        }
        if (options.Rounds is < 1 or > 10)
        {
            throw new ArgumentException("--rounds must be between 1 and 10");
        }
        return options;
    }

    private static string[]? List(string[] args, string name)
        => CommandLine.Value(args, name)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int? Int(string[] args, string name)
        => CommandLine.Value(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : null;

    private static double? Double(string[] args, string name)
        => CommandLine.Value(args, name) is { } text ? double.Parse(text, CultureInfo.InvariantCulture) : null;
}

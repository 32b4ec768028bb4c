using MeshProxy.LoadRuns.Contenders;
using MeshProxy.LoadRuns.Infrastructure;
using MeshProxy.LoadRuns.Results;
using MeshProxy.LoadRuns.Scenarios;

namespace MeshProxy.LoadRuns.Commands;

/// <summary>`run`: sets up the backend, runs every contender through every scenario, prints the table and writes the JSON.</summary>
internal static class RunCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var root = FindRepositoryRoot();
        var options = RunOptions.Parse(args, root);
        var cpus = CpuPlan.Parse(options.Pin);
        if (!CheckPrerequisites(options))
        {
            return 2;
        }
        ProcessRegistry.InstallExitHandlers();

        var runDirectory = Path.Combine(Path.GetTempPath(), $"meshproxy-loadruns-{DateTime.UtcNow:yyyyMMdd-HHmmss}");
        Directory.CreateDirectory(runDirectory);
        Console.Error.WriteLine($"Logs and configs: {runDirectory}");
        try
        {
            using var backend = await Backend.StartAsync(runDirectory, cpus.Backend, options.BulkBytes);
            var context = new RunContext { Options = options, Cpus = cpus, RunDirectory = runDirectory, RepositoryRoot = root, Backend = backend };
            var contenders = Select(AllContenders(options), OptInContenders(), c => c().Name, options.Contenders, "--contenders");
            var scenarios = Select(AllScenarios(), OptInScenarios(), s => s.Name, options.Scenarios, "--scenarios");

            var run = new LoadRun(context, contenders, scenarios);
            var started = DateTimeOffset.UtcNow;
            await run.RunAsync();

            var summary = SummaryRow.From(run.Cells);
            var titles = scenarios.ToDictionary(s => s.Name, s => s.Title(context));
            var report = new RunReport
            {
                Date = started,
                Commit = RunEnvironment.Commit(root),
                Machine = RunEnvironment.Machine(),
                Tools = RunEnvironment.Tools(),
                Options = options,
                CpuPlan = cpus.Describe(),
                Backend = backend.Describe(),
                Contenders = contenders.Select(c => c()).ToDictionary(c => c.Name, c => c.Describe(context)),
                Scenarios = titles,
                Summary = summary,
                Cells = run.Cells,
            };
            Console.WriteLine(Header(report, options));
            Console.WriteLine(ResultTable.Format(summary, titles, scenarios.Where(s => s.IsBulk).Select(s => s.Name).ToHashSet()));
            await report.WriteAsync(options.OutputPath);
            Console.WriteLine($"JSON: {options.OutputPath}");
            return run.Cells.Any(c => c.Failure is not null) ? 1 : 0;
        }
        finally
        {
            ProcessRegistry.KillAll();
        }
    }

    /// <summary>The contenders in the order they run. A variant is another meshproxy build or environment.</summary>
    private static List<Func<Contender>> AllContenders(RunOptions options)
    {
        var all = new List<Func<Contender>>
        {
            () => new DirectContender(),
            () => new MeshProxyContender(),
        };
        foreach (var variant in options.Variants)
        {
            var (name, binary, environment, settings) = ParseVariant(variant);
            all.Add(() => new MeshProxyContender(name, binary, environment, settings));
        }
        all.Add(() => new NginxContender());
        all.Add(() => new HaproxyContender());
        all.Add(() => new BareYarpContender());
        return all;
    }

    private static List<Scenario> AllScenarios() =>
    [
        new KeepAliveScenario(),
        new FixedRateScenario(1000),
        new FixedRateScenario(5000),
        new BulkTcpScenario(),
    ];

    /// <summary>
    /// Contenders of the focused measurements (mTLS, telemetry, capture, resilience): they run only when named with
    /// --contenders or --suite, so the default run stays the comparison with the peers.
    /// </summary>
    private static List<Func<Contender>> OptInContenders() =>
    [
        () => new TwoHopContender(mtls: false),
        () => new TwoHopContender(mtls: true),
        () => new StrictMeshProxyContender(),
        () => new HaproxyTlsContender(),
        () => new TelemetryContender(on: false),
        () => new TelemetryContender(on: true),
        () => new PodContender("direct"),
        () => new PodContender("explicit"),
        () => new PodContender("captured"),
        () => new ResilienceContender("none"),
        () => new ResilienceContender("retry"),
        () => new ResilienceContender("hedge"),
    ];

    /// <summary>Scenarios that run only when named with --scenarios or --suite.</summary>
    private static List<Scenario> OptInScenarios() =>
    [
        new HandshakeScenario(reuse: false),
        new HandshakeScenario(reuse: true),
        new FixedRateScenario(1000, http2: true),
    ];

    /// <summary>
    /// "name:KEY=VALUE,KEY=VALUE". The key "binary" is the meshproxy to run (a .dll or a native executable); a key of
    /// <see cref="MeshProxyContender.Settings"/> changes the config; any other key is an environment variable.
    /// </summary>
    private static (string Name, string? Binary, Dictionary<string, string> Environment, Dictionary<string, string> Settings) ParseVariant(string text)
    {
        var colon = text.IndexOf(':');
        if (colon <= 0)
        {
            throw new ArgumentException($"--variant '{text}': expected name:KEY=VALUE,...");
        }
        string? binary = null;
        var environment = new Dictionary<string, string>();
        var settings = new Dictionary<string, string>();
        foreach (var pair in text[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = pair.Split('=', 2) is [var k, var v] ? (k, v) : throw new ArgumentException($"--variant '{text}': '{pair}' is not KEY=VALUE");
            if (key == "binary")
            {
                binary = Path.GetFullPath(value);
            }
            else if (MeshProxyContender.Settings.ContainsKey(key))
            {
                settings[key] = value;
            }
            else
            {
                environment[key] = value;
            }
        }
        return ("meshproxy-" + text[..colon], binary, environment, settings);
    }

    /// <summary>The named ones in their order of <paramref name="defaults"/> then <paramref name="optIn"/>; the defaults when none are named.</summary>
    private static List<T> Select<T>(List<T> defaults, List<T> optIn, Func<T, string> name, IReadOnlyList<string>? wanted, string option)
    {
        if (wanted is null)
        {
            return defaults;
        }
        List<T> all = [.. defaults, .. optIn];
        var unknown = wanted.Where(w => !all.Any(a => name(a) == w)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"{option}: unknown {string.Join(", ", unknown)}; known: {string.Join(", ", all.Select(name))}");
        }
        return [.. all.Where(a => wanted.Contains(name(a)))];
    }

    private static bool CheckPrerequisites(RunOptions options)
    {
        var missing = new[] { Nginx.Executable, HaproxyContender.Executable, Tools.Wrk.Executable, Tools.H2Load.Executable, options.MeshProxyPath }
            .Where(path => !File.Exists(path)).ToList();
        foreach (var path in missing)
        {
            Console.Error.WriteLine($"missing: {path} (bench/run-load.sh installs the tools and publishes meshproxy)");
        }
        return missing.Count == 0;
    }

    private static string Header(RunReport report, RunOptions options) => $"""

        meshproxy load run {report.Date:yyyy-MM-dd HH:mm} UTC, commit {report.Commit}{(options.Quick ? " (QUICK: smoke test of the harness, not a measurement)" : "")}
        machine: {report.Machine["cores"]} cores ({report.Machine["cpu"]}), {report.Machine["memory"]}, {report.Machine["os"]}, kernel {report.Machine["kernel"]}
        tools: {string.Join("; ", report.Tools.Values)}
        CPU pinning: {report.CpuPlan}; rounds: {options.Rounds}; warm-up {options.WarmupSeconds} s per contender
        backend: {report.Backend}
        {string.Join("\n", report.Contenders.Select(c => $"  {c.Key}: {c.Value}"))}
        CPU = the contender's utime+stime (/proc/PID/stat, whole process tree) during the cell; µs/req = CPU / requests; vCPU/krps = CPU / duration / (rps / 1000).
        RSS = summed VmRSS of its processes: peak sampled every {ResourceMeter.SampleInterval.TotalMilliseconds:0} ms during the cell; idle = after start, before any load.
        Medians over the rounds; spread = (max − min) / median of the throughput; noise = the most cores that processes outside this run used during a cell (0 = quiet machine).
        """;

    private static string FindRepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Proxy.sln")))
                {
                    return dir.FullName;
                }
            }
        }
        throw new InvalidOperationException("Run from inside the repository (no Proxy.sln found above the current folder).");
    }
}

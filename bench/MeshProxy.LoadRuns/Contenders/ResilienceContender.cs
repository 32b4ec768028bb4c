using MeshProxy.LoadRuns.Commands;
using MeshProxy.LoadRuns.Infrastructure;

namespace MeshProxy.LoadRuns.Contenders;

/// <summary>
/// Three backends, one of them slow on 5% of its requests (+200 ms; <see cref="DelayBackendCommand"/>, its own
/// process started with the contender), behind meshproxy's round robin, with no policy (<c>meshproxy-3ep</c>), with
/// retries (<c>-retry</c>: retryOn 5xx, numRetries 1, perTryTimeout 50ms: a slow attempt is cancelled and retried on
/// another endpoint) or with hedging (<c>-hedge</c>: the same plus hedgeOnPerTryTimeout: the slow attempt keeps running
/// and a second one races it). Read at a fixed rate over h2c (rate1000h2).
/// </summary>
internal sealed class ResilienceContender : Contender
{
    public const double SlowPercent = 5;
    public const int DelayMs = 200;
    public const string PerTryTimeout = "50ms";

    private readonly string _policy;
    private ManagedProcess? _backends;
    private int _adminPort;

    /// <param name="policy">none, retry or hedge.</param>
    public ResilienceContender(string policy) => _policy = policy;

    public override string Name => _policy == "none" ? "meshproxy-3ep" : $"meshproxy-3ep-{_policy}";

    public override string Describe(RunContext context) =>
        $"route * → cluster of 3 endpoints (round robin, HTTP/1.1 upstream), one slow on {SlowPercent}% of its requests (+{DelayMs} ms); " + _policy switch
        {
            "retry" => $"retryPolicy retryOn [5xx], numRetries 1, perTryTimeout {PerTryTimeout}",
            "hedge" => $"retryPolicy retryOn [5xx], numRetries 1, perTryTimeout {PerTryTimeout}; hedgePolicy hedgeOnPerTryTimeout",
            _ => "no retry policy (the fast path)",
        };

    public override async Task StartAsync(RunContext context)
    {
        var dir = PrepareProxy(context, withTcp: false);
        var ports = new[] { Net.FreePort(), Net.FreePort(), Net.FreePort() };
        var (file, arguments) = SelfCommand.For("delay-backend", "--listen", $"127.0.0.1:{ports[0]}", "--listen", $"127.0.0.1:{ports[1]}",
            "--slow", $"127.0.0.1:{ports[2]}", "--slow-percent", SlowPercent.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--delay-ms", DelayMs.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _backends = ManagedProcess.Start(Name + "-backends", file, arguments, Path.Combine(dir, "delay-backend.log"), context.Cpus.Backend);
        foreach (var port in ports)
        {
            await Net.WaitForHttpAsync($"http://127.0.0.1:{port}/", _backends, TimeSpan.FromSeconds(60));
        }

        _adminPort = Net.FreePort();
        var document = MeshProxyConfig.Document(_adminPort);
        MeshProxyConfig.Listeners(document).Add(MeshProxyConfig.HttpListener("http", $"127.0.0.1:{HttpPort}", "local"));
        var routeTable = MeshProxyConfig.RouteTable("local", "three");
        var virtualHost = MeshProxyConfig.VirtualHost(routeTable);
        if (_policy is "retry" or "hedge")
        {
            virtualHost["retryPolicy"] = new Dictionary<string, object?> { ["retryOn"] = new[] { "5xx" }, ["numRetries"] = 1, ["perTryTimeout"] = PerTryTimeout };
        }
        if (_policy == "hedge")
        {
            virtualHost["hedgePolicy"] = new Dictionary<string, object?> { ["hedgeOnPerTryTimeout"] = true };
        }
        MeshProxyConfig.RouteTables(document).Add(routeTable);
        var cluster = MeshProxyConfig.Cluster("three", [.. ports.Select(p => $"127.0.0.1:{p}")]);
        cluster["httpProtocol"] = "http1"; // the load is h2c; the backends, like most apps behind a sidecar, speak HTTP/1.1
        MeshProxyConfig.Clusters(document).Add(cluster);
        var config = await MeshProxyConfig.WriteAsync(Path.Combine(dir, "meshproxy.yaml"), document);
        Process = MeshProxyProcess.Start(Name, context.Options.MeshProxyPath, config, Path.Combine(dir, "meshproxy.log"), context.Cpus.Proxy);
        await MeshProxyProcess.WaitReadyAsync(_adminPort, Process);
        await Net.WaitForHttpAsync(HttpUrl, Process, TimeSpan.FromSeconds(20));
    }

    /// <summary>The cluster's attempt counters over the round (warm-up included): attempts, retries, hedges, per-try timeouts.</summary>
    public override async Task<string?> ReportAsync(RunContext context)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var stats = await client.GetStringAsync($"http://127.0.0.1:{_adminPort}/stats");
        string[] wanted = ["upstream_rq_total", "upstream_rq_retry", "upstream_rq_retry_success", "upstream_rq_hedge", "upstream_rq_per_try_timeout",
            "upstream_rq_retry_limit_exceeded", "upstream_rq_retry_overflow", "upstream_rq_timeout"];
        var lines = stats.Split('\n').Select(l => l.Trim()).Where(l => wanted.Any(w => l.StartsWith($"cluster.three.{w}:", StringComparison.Ordinal)));
        return string.Join(", ", lines.Select(l => l["cluster.three.".Length..]));
    }

    public override void Dispose()
    {
        base.Dispose();
        _backends?.Dispose();
        _backends = null;
    }
}

using System.Globalization;
using System.Text.RegularExpressions;
using MeshProxy.LoadRuns.Commands;
using MeshProxy.LoadRuns.Infrastructure;

namespace MeshProxy.LoadRuns.Contenders;

/// <summary>
/// The cost of telemetry: the same meshproxy config (one HTTP listener → route * → backend) with telemetry all off
/// (<c>meshproxy-telemetry-off</c>: no Prometheus listener, tracing off, no access log; Istio's metrics are still
/// recorded in memory, nobody reads them) or all on (<c>meshproxy-telemetry-on</c>): Prometheus on a port scraped
/// every <see cref="ScrapeInterval"/> by the run, tracing sampled at 1% exported over OTLP/gRPC to a sink that
/// discards it (<see cref="OtlpSinkCommand"/>, its own process), and the JSON access log written to a file.
/// </summary>
internal sealed partial class TelemetryContender : Contender
{
    public static readonly TimeSpan ScrapeInterval = TimeSpan.FromSeconds(5);

    private readonly bool _on;
    private ManagedProcess? _sink;
    private CancellationTokenSource? _stopScraping;
    private Task? _scraping;
    private string? _metricsUrl;
    private string? _sinkStatsUrl;
    private string? _accessLog;
    private string _lastScrape = "";
    private long _scrapes;

    public TelemetryContender(bool on) => _on = on;

    public override string Name => _on ? "meshproxy-telemetry-on" : "meshproxy-telemetry-off";

    public override string Describe(RunContext context) => _on
        ? $"HTTP listener → route * → backend; metricsAddress on, /stats/prometheus scraped every {ScrapeInterval.TotalSeconds:0} s; tracing samplingRatio 0.01 → OTLP/gRPC sink (discards); access log json → file"
        : "HTTP listener → route * → backend; metricsAddress empty (Istio metrics recorded, never read), tracing off, access log off";

    public override async Task StartAsync(RunContext context)
    {
        var dir = PrepareProxy(context, withTcp: false);
        var adminPort = Net.FreePort();
        var metricsPort = _on ? Net.FreePort() : 0;
        var document = MeshProxyConfig.Document(adminPort, _on ? $"127.0.0.1:{metricsPort}" : null);
        MeshProxyConfig.Listeners(document).Add(MeshProxyConfig.HttpListener("http", $"127.0.0.1:{HttpPort}", "local"));
        MeshProxyConfig.RouteTables(document).Add(MeshProxyConfig.RouteTable("local", "backend"));
        MeshProxyConfig.Clusters(document).Add(MeshProxyConfig.Cluster("backend", $"127.0.0.1:{context.Backend.Port}"));
        if (_on)
        {
            var (grpcPort, httpPort) = (Net.FreePort(), Net.FreePort());
            var (file, arguments) = SelfCommand.For("otlp-sink", "--grpc", $"127.0.0.1:{grpcPort}", "--http", $"127.0.0.1:{httpPort}");
            _sink = ManagedProcess.Start(Name + "-otlp-sink", file, arguments, Path.Combine(dir, "otlp-sink.log"));
            _sinkStatsUrl = $"http://127.0.0.1:{httpPort}/stats";
            await Net.WaitForHttpAsync(_sinkStatsUrl, _sink, TimeSpan.FromSeconds(60));
            _accessLog = Path.Combine(dir, "access.log");
            document["telemetry"] = new Dictionary<string, object?>
            {
                ["tracing"] = new Dictionary<string, object?>
                {
                    ["enabled"] = true,
                    ["samplingRatio"] = 0.01,
                    ["otlpEndpoint"] = $"http://127.0.0.1:{grpcPort}",
                    ["otlpProtocol"] = "grpc",
                },
                ["accessLog"] = new Dictionary<string, object?> { ["enabled"] = true, ["path"] = _accessLog, ["format"] = "json" },
            };
        }
        var config = await MeshProxyConfig.WriteAsync(Path.Combine(dir, "meshproxy.yaml"), document);
        Process = MeshProxyProcess.Start(Name, context.Options.MeshProxyPath, config, Path.Combine(dir, "meshproxy.log"), context.Cpus.Proxy);
        await MeshProxyProcess.WaitReadyAsync(adminPort, Process);
        await Net.WaitForHttpAsync(HttpUrl, Process, TimeSpan.FromSeconds(20));
        if (_on)
        {
            _metricsUrl = $"http://127.0.0.1:{metricsPort}/stats/prometheus";
            _stopScraping = new CancellationTokenSource();
            _scraping = ScrapeAsync(_stopScraping.Token);
        }
    }

    /// <summary>What a Prometheus server would do: GET the metrics page on an interval, reading it whole.</summary>
    private async Task ScrapeAsync(CancellationToken stop)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var timer = new PeriodicTimer(ScrapeInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    _lastScrape = await client.GetStringAsync(_metricsUrl, stop);
                    _scrapes++;
                }
                catch (HttpRequestException)
                {
                    // The proxy is gone or busy; the next tick tries again.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public override async Task<string?> ReportAsync(RunContext context)
    {
        if (!_on)
        {
            return null;
        }
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var sink = (await client.GetStringAsync(_sinkStatsUrl)).Trim();
        var dropped = AccessLogDropped().Match(_lastScrape) is { Success: true } match ? match.Groups[1].Value : "not in the last scrape";
        var logBytes = File.Exists(_accessLog) ? new FileInfo(_accessLog).Length : 0;
        return string.Create(CultureInfo.InvariantCulture,
            $"{_scrapes} scrapes of {_lastScrape.Length / 1024.0:0.0} KiB; OTLP sink: {sink}; access log {logBytes / (1024.0 * 1024):0.0} MiB, dropped lines {dropped}");
    }

    public override void Dispose()
    {
        _stopScraping?.Cancel();
        _scraping?.Wait(TimeSpan.FromSeconds(10));
        _stopScraping?.Dispose();
        base.Dispose();
        _sink?.Dispose();
        if (_accessLog is not null)
        {
            File.Delete(_accessLog);
        }
    }

    [GeneratedRegex(@"^meshproxy_access_log_dropped_total\S*\s+([\d.e+]+)", RegexOptions.Multiline)]
    private static partial Regex AccessLogDropped();
}

using System.Globalization;
using System.Net;
using MeshProxy.Telemetry;

namespace MeshProxy.Cli.Demo;

/// <summary>
/// The hedging act: service "ratings" has three instances, one of them slow. The same requests go to it through two
/// routes of the sidecar, one without a policy and one that hedges after 25 ms, and the act prints both latency
/// tails. Bounded by request count and time.
/// </summary>
internal static class DemoHedging
{
    public const string Service = "ratings";
    public const string PlainHost = "ratings";
    public const string HedgedHost = "ratings-hedged";
    public const int PerTryMilliseconds = 25;
    private const int RequestsPerRoute = 300;
    private const int Concurrency = 4;
    private static readonly TimeSpan MaxDuration = TimeSpan.FromSeconds(8);

    public static IEnumerable<DemoEndpoint> Endpoints() =>
    [
        new(Service, "ratings-1", DemoTopology.LocalZone, TimeSpan.FromMilliseconds(2), 0),
        new(Service, "ratings-2", DemoTopology.LocalZone, TimeSpan.FromMilliseconds(2), 0),
        new(Service, "ratings-slow", DemoTopology.LocalZone, TimeSpan.FromMilliseconds(150), 0),
    ];

    /// <summary>Two virtual hosts over the same cluster: one plain, one hedging on a 25 ms per-try timeout.</summary>
    public static string VirtualHostsYaml => $$"""
                  - name: {{PlainHost}}
                    domains: [{{PlainHost}}]
                    routes:
                      - match: { prefix: / }
                        cluster: {{Service}}
                  - name: {{HedgedHost}}
                    domains: [{{HedgedHost}}]
                    routes:
                      - match: { prefix: / }
                        cluster: {{Service}}
                        retryPolicy: { retryOn: [5xx, reset], numRetries: 1, perTryTimeout: {{PerTryMilliseconds}}ms, baseInterval: 1ms }
                        hedgePolicy: { hedgeOnPerTryTimeout: true }

            """;

    public static async Task RunAsync(IPEndPoint sidecar, StatsRegistry stats, TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine();
        output.WriteLine($"Hedging: \"{Service}\" has 3 instances, one of them about 150 ms slow. {RequestsPerRoute} requests each through a plain route and one");
        output.WriteLine($"that hedges after {PerTryMilliseconds} ms (Envoy's hedge_on_per_try_timeout: the slow attempt keeps running, a second one races it).");
        var timeProvider = TimeProvider.System;
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(MaxDuration);
        var plain = new List<double>();
        var hedged = new List<double>();
        var next = 0;
        var workers = Enumerable.Range(0, Concurrency).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && Interlocked.Increment(ref next) <= RequestsPerRoute * 2)
            {
                var hedge = (next & 1) == 0;
                var start = timeProvider.GetTimestamp();
                using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{sidecar}/stars");
                request.Headers.Host = hedge ? HedgedHost : PlainHost;
                try
                {
                    using var response = await client.SendAsync(request, stop.Token);
                    await response.Content.ReadAsStringAsync(stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                var milliseconds = timeProvider.GetElapsedTime(start).TotalMilliseconds;
                lock (plain)
                {
                    (hedge ? hedged : plain).Add(milliseconds);
                }
            }
        }, CancellationToken.None)).ToArray();
        await Task.WhenAll(workers);

        var rows = new List<string[]> { new[] { "route", "requests", "p50", "p90", "p99", "max" } };
        foreach (var (name, samples) in new[] { ("no policy", plain), ($"hedged after {PerTryMilliseconds} ms", hedged) })
        {
            rows.Add([name, samples.Count.ToString("N0", CultureInfo.InvariantCulture), .. DemoReport.LatencyCells(samples)]);
        }
        output.WriteLine("Latency seen by the client (ms)");
        DemoReport.WriteTable(output, rows);
        var resilience = stats.Cluster(Service).Resilience;
        output.WriteLine($"  {resilience.Hedges:N0} hedges were started; every losing attempt was cancelled.");
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;

namespace MeshProxy.Cli.Demo;

/// <summary>One request the demo client made: when (seconds into the run), where it went, how it ended, how long it took.</summary>
internal readonly record struct DemoSample(double At, string Host, string Endpoint, int StatusCode, double Milliseconds)
{
    public bool Failed => StatusCode is < 200 or >= 400;
}

/// <summary>
/// The demo's client: a few concurrent workers sending real HTTP through the sidecar, bounded by both a
/// duration and a request count so it always ends.
/// </summary>
internal static class DemoLoad
{
    public const int Concurrency = 8;
    public const int MaxRequests = 200_000;

    /// <param name="runStart">The timestamp (of <paramref name="timeProvider"/>) the samples' times are measured from.</param>
    public static async Task<IReadOnlyList<DemoSample>> RunAsync(IPEndPoint sidecar, TimeSpan duration, TimeProvider timeProvider, long runStart, CancellationToken cancellationToken)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };
        var samples = new ConcurrentQueue<DemoSample>();
        var started = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(duration);
        var workers = Enumerable.Range(0, Concurrency).Select(worker => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested && Interlocked.Increment(ref started) <= MaxRequests)
            {
                var host = (started & 1) == 0 ? "catalog" : "reviews";
                samples.Enqueue(await SendAsync(client, sidecar, host, timeProvider, runStart, stop.Token));
            }
        }, CancellationToken.None)).ToArray();
        await Task.WhenAll(workers);
        return samples.Where(s => s.StatusCode != -1).ToList();
    }

    private static async Task<DemoSample> SendAsync(HttpClient client, IPEndPoint sidecar, string host, TimeProvider timeProvider, long runStart, CancellationToken cancellationToken)
    {
        var start = timeProvider.GetTimestamp();
        var at = timeProvider.GetElapsedTime(runStart, start).TotalSeconds;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{sidecar}/items");
        request.Headers.Host = host;
        try
        {
            using var response = await client.SendAsync(request, cancellationToken);
            await response.Content.ReadAsStringAsync(cancellationToken);
            var endpoint = response.Headers.TryGetValues("x-demo-endpoint", out var values) ? values.First() : "(proxy)";
            return new DemoSample(at, host, endpoint, (int)response.StatusCode, timeProvider.GetElapsedTime(start).TotalMilliseconds);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new DemoSample(at, host, "", -1, 0);
        }
        catch (HttpRequestException)
        {
            return new DemoSample(at, host, "(connection error)", 0, timeProvider.GetElapsedTime(start).TotalMilliseconds);
        }
    }
}

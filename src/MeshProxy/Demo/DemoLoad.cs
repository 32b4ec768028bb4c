using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;

namespace MeshProxy.Cli.Demo;

/// <summary>One request the demo client made: where it went, how it ended, how long it took.</summary>
internal readonly record struct DemoSample(string Host, string Endpoint, int StatusCode, double Milliseconds);

/// <summary>
/// The demo's client: a few concurrent workers sending real HTTP through the sidecar, bounded by both a
/// duration and a request count so it always ends.
/// </summary>
internal static class DemoLoad
{
    public const int Concurrency = 8;
    public const int MaxRequests = 200_000;

    public static async Task<IReadOnlyList<DemoSample>> RunAsync(IPEndPoint sidecar, TimeSpan duration, TimeProvider timeProvider, CancellationToken cancellationToken)
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
                samples.Enqueue(await SendAsync(client, sidecar, host, timeProvider, stop.Token));
            }
        }, CancellationToken.None)).ToArray();
        await Task.WhenAll(workers);
        return samples.Where(s => s.StatusCode != -1).ToList();
    }

    private static async Task<DemoSample> SendAsync(HttpClient client, IPEndPoint sidecar, string host, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var start = timeProvider.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{sidecar}/items");
        request.Headers.Host = host;
        try
        {
            using var response = await client.SendAsync(request, cancellationToken);
            await response.Content.ReadAsStringAsync(cancellationToken);
            var endpoint = response.Headers.TryGetValues("x-demo-endpoint", out var values) ? values.First() : "(proxy)";
            return new DemoSample(host, endpoint, (int)response.StatusCode, timeProvider.GetElapsedTime(start).TotalMilliseconds);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new DemoSample(host, "", -1, 0);
        }
        catch (HttpRequestException)
        {
            return new DemoSample(host, "(connection error)", 0, timeProvider.GetElapsedTime(start).TotalMilliseconds);
        }
    }
}

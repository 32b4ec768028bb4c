using System.Collections.Concurrent;
using System.Net.Http;

namespace MeshProxy.TestSupport;

/// <summary>
/// Real requests through a proxy, counted by the backend that answered (its x-backend header) or, for local replies,
/// as "status N". Sent by a few concurrent workers over keep-alive connections; bounded by count and time.
/// </summary>
public sealed class TrafficSample
{
    private TrafficSample(IReadOnlyDictionary<string, int> counts, int total)
    {
        Counts = counts;
        Total = total;
    }

    public IReadOnlyDictionary<string, int> Counts { get; }

    public int Total { get; }

    /// <summary>The share of requests (0 to 1) answered by any of the named backends.</summary>
    public double Share(params string[] names) => Total == 0 ? 0 : names.Sum(n => Counts.GetValueOrDefault(n)) / (double)Total;

    public int Count(string name) => Counts.GetValueOrDefault(name);

    public override string ToString() => string.Join(", ", Counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}: {c.Value}")) + $" (of {Total})";

    public static async Task<TrafficSample> SendAsync(HttpClient client, Uri uri, int requests, int concurrency = 4)
    {
        var counts = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var next = 0;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) <= requests)
            {
                using var response = await client.GetAsync(uri, deadline.Token);
                await response.Content.ReadAsStringAsync(deadline.Token);
                var key = response.Headers.TryGetValues("x-backend", out var values) ? values.First() : $"status {(int)response.StatusCode}";
                counts.AddOrUpdate(key, 1, (_, n) => n + 1);
            }
        })).ToArray();
        await Task.WhenAll(workers);
        return new TrafficSample(counts, counts.Values.Sum());
    }
}

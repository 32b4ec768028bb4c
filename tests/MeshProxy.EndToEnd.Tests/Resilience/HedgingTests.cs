using System.Diagnostics;
using System.Net;
using MeshProxy.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MeshProxy.EndToEnd.Tests.Resilience;

/// <summary>Hedging on a per-try timeout: the fast endpoint answers, the slow attempt is cancelled and the slow backend sees it.</summary>
public sealed class HedgingTests
{
    private const string Hedged = """
        retryPolicy:
          retryOn: [5xx]
          numRetries: 1
          perTryTimeout: 100ms
          baseInterval: 1ms
        hedgePolicy:
          hedgeOnPerTryTimeout: true
        """;

    [Fact]
    public async Task SlowEndpoint_HedgeToTheFastOneWins_SlowAttemptCancelled()
    {
        // The same path is slow on one backend and fast on the other; the slow one counts the requests given up on it.
        var cancelled = 0;
        await using var slow = await TestBackend.StartAsync("slow", mapEndpoints: app => app.Map("/work", async context =>
        {
            try
            {
                await Task.Delay(3000, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref cancelled);
            }
        }));
        await using var fast = await TestBackend.StartAsync("fast", mapEndpoints: app => app.Map("/work", context => context.Response.WriteAsync("fast")));
        await using var proxy = await ProxyTestHost.StartAsync(ResilienceYaml.Config([slow.Http1Address, fast.Http1Address], Hedged));
        using var http = new HttpClient();

        for (var i = 0; i < 6; i++)
        {
            var clock = Stopwatch.StartNew();
            var response = await http.GetAsync(proxy.ListenerUri("web", "/work"), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("fast", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"request {i} took {clock.Elapsed}");
        }

        var hedges = await AdminStats.GetAsync(proxy, "cluster.backend.upstream_rq_hedge");
        Assert.True(hedges >= 1, "no request started on the slow endpoint");
        Assert.Equal(hedges, slow.Requests.Count);
        // Hedging counts no per-try timeout (Envoy), and every slow attempt was cancelled when the fast one won.
        Assert.Equal(0, await AdminStats.GetAsync(proxy, "cluster.backend.upstream_rq_per_try_timeout"));
        Assert.Equal((int)hedges, await TimeoutTests.PollAsync(() => Volatile.Read(ref cancelled), (int)hedges));
    }

    [Fact]
    public async Task ErrorFromTheHedgedAttempt_IsDiscardedWhileTheOtherOneRuns()
    {
        // Slow then 503 on one endpoint; a bit slower but 200 on the other. The hedged attempt's 503 is dropped.
        await using var bad = await TestBackend.StartAsync("bad", mapEndpoints: app => app.Map("/work", async context =>
        {
            await Task.Delay(200, context.RequestAborted);
            context.Response.StatusCode = 503;
        }));
        await using var good = await TestBackend.StartAsync("good", mapEndpoints: app => app.Map("/work", async context =>
        {
            await Task.Delay(300, context.RequestAborted);
            await context.Response.WriteAsync("good");
        }));
        await using var proxy = await ProxyTestHost.StartAsync(ResilienceYaml.Config([bad.Http1Address, good.Http1Address], Hedged));
        using var http = new HttpClient();

        for (var i = 0; i < 4; i++)
        {
            var response = await http.GetAsync(proxy.ListenerUri("web", "/work"), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task AdaptiveHedge_AfterWarmup_SlowTailIsHedged()
    {
        var calls = 0;
        // Every tenth request is slow; the p90 of the rest is a few milliseconds.
        await using var backend = await TestBackend.StartAsync("backend", mapEndpoints: app => app.Map("/work", async context =>
        {
            if (Interlocked.Increment(ref calls) % 10 == 0)
            {
                await Task.Delay(2000, context.RequestAborted);
            }
            await context.Response.WriteAsync("ok");
        }));
        await using var other = await TestBackend.StartAsync("other", mapEndpoints: app => app.Map("/work", context => context.Response.WriteAsync("ok")));
        await using var proxy = await ProxyTestHost.StartAsync(ResilienceYaml.Config([backend.Http1Address, other.Http1Address], """
            retryPolicy:
              retryOn: [5xx]
              numRetries: 1
              baseInterval: 1ms
            hedgePolicy:
              adaptive: { percentile: 80, minDelay: 20ms, budgetPercent: 50, minSamples: 20 }
            """));
        using var http = new HttpClient();

        var slowest = TimeSpan.Zero;
        for (var i = 0; i < 60; i++)
        {
            var clock = Stopwatch.StartNew();
            var response = await http.GetAsync(proxy.ListenerUri("web", "/work"), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            if (i >= 30)
            {
                slowest = clock.Elapsed > slowest ? clock.Elapsed : slowest;
            }
        }

        Assert.True(await AdminStats.GetAsync(proxy, "cluster.backend.upstream_rq_hedge") >= 1);
        Assert.True(slowest < TimeSpan.FromSeconds(1.5), $"after warm-up the slowest request took {slowest}");
    }
}

using System.Net;
using System.Net.Sockets;
using MeshProxy.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MeshProxy.EndToEnd.Tests.Resilience;

/// <summary>Circuit breakers: overflow answers 503 UO with x-envoy-overloaded while the limit is held, and is counted.</summary>
public sealed class CircuitBreakerTests
{
    [Fact]
    public async Task MaxRequests_HeldByTwoSlowRequests_ThirdGets503Overloaded()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var proxy = await ProxyTestHost.StartAsync(ResilienceYaml.Config([backend.Http1Address], cluster: """
            circuitBreakers:
              thresholds:
                - maxRequests: 2
            """));
        using var http = new HttpClient();

        backend.ResetGate();
        var held = new[] { http.GetAsync(proxy.ListenerUri("web", "/gated"), HttpCompletionOption.ResponseHeadersRead), http.GetAsync(proxy.ListenerUri("web", "/gated"), HttpCompletionOption.ResponseHeadersRead) };
        await TimeoutTests.PollAsync(() => backend.Requests.Count, 2);
        var overflow = await http.GetAsync(proxy.ListenerUri("web", "/echo"), TestContext.Current.CancellationToken);
        backend.OpenGate();
        await Task.WhenAll(held);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, overflow.StatusCode);
        Assert.Equal("true", overflow.Headers.GetValues("x-envoy-overloaded").Single());
        Assert.Equal("upstream connect error or disconnect/reset before headers. reset reason: overflow",
            await overflow.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(1, await AdminStats.GetAsync(proxy, "cluster.backend.upstream_rq_pending_overflow"));
        // Once the held requests are done, the cluster admits again.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(proxy.ListenerUri("web", "/echo"), TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task MaxConnectionsWithoutPending_SecondConcurrentHttp1RequestOverflows()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var proxy = await ProxyTestHost.StartAsync(ResilienceYaml.Config([backend.Http1Address], cluster: """
            httpProtocol: http1
            circuitBreakers:
              thresholds:
                - maxConnections: 1
                  maxPendingRequests: 0
            """));
        using var http = new HttpClient();

        backend.ResetGate();
        var held = http.GetAsync(proxy.ListenerUri("web", "/gated"), HttpCompletionOption.ResponseHeadersRead);
        await backend.GatedFirstChunkSent.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var overflow = await http.GetAsync(proxy.ListenerUri("web", "/echo"), TestContext.Current.CancellationToken);
        backend.OpenGate();
        await held;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, overflow.StatusCode);
        Assert.Equal("true", overflow.Headers.GetValues("x-envoy-overloaded").Single());
        Assert.Equal(1, await AdminStats.GetAsync(proxy, "cluster.backend.upstream_rq_pending_overflow"));
    }

    [Fact]
    public async Task MaxConnectionsForTcp_SecondConnectionClosed()
    {
        await using var echo = TcpEchoServer.StartEcho();
        await using var proxy = await ProxyTestHost.StartAsync(ResilienceYaml.Config([echo.Address], cluster: """
            circuitBreakers:
              thresholds:
                - maxConnections: 1
            """));
        using var first = new TcpClient();
        await first.ConnectAsync(proxy.Listener("web"), TestContext.Current.CancellationToken);
        await first.Client.SendAsync(new byte[] { 1, 2, 3 }, TestContext.Current.CancellationToken);
        var buffer = new byte[16];
        Assert.Equal(3, await first.Client.ReceiveAsync(buffer, TestContext.Current.CancellationToken));

        using var second = new TcpClient();
        await second.ConnectAsync(proxy.Listener("web"), TestContext.Current.CancellationToken);
        await second.Client.SendAsync(new byte[] { 1, 2, 3 }, TestContext.Current.CancellationToken);
        var read = await second.Client.ReceiveAsync(buffer, TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(0, read);
        Assert.Equal(1, await AdminStats.GetAsync(proxy, "cluster.backend.upstream_cx_overflow"));
    }

    [Fact]
    public async Task RetryBudget_HundredConcurrentFailures_RetriesStayWithinTheBudget()
    {
        var inFlightRetries = 0;
        var maxInFlightRetries = 0;
        await using var failing = await TestBackend.StartAsync("failing", mapEndpoints: app => app.Map("/work", async context =>
        {
            var isRetry = context.Request.Headers["x-envoy-attempt-count"] != "1";
            if (isRetry)
            {
                var now = Interlocked.Increment(ref inFlightRetries);
                InterlockedMax(ref maxInFlightRetries, now);
            }
            try
            {
                await Task.Delay(300, context.RequestAborted);
                context.Response.StatusCode = 503;
            }
            finally
            {
                if (isRetry)
                {
                    Interlocked.Decrement(ref inFlightRetries);
                }
            }
        }));
        await using var proxy = await ProxyTestHost.StartAsync(ResilienceYaml.Config([failing.Http1Address], """
            retryPolicy:
              retryOn: [5xx]
              numRetries: 3
              baseInterval: 1ms
            """, cluster: """
            circuitBreakers:
              thresholds:
                - maxRequests: 1000
                  retryBudget: { budgetPercent: 20, minRetryConcurrency: 3 }
            """, virtualHost: "includeAttemptCount: true"));
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 200 });

        var requests = Enumerable.Range(0, 100).Select(_ => http.GetAsync(proxy.ListenerUri("web", "/work"), TestContext.Current.CancellationToken)).ToArray();
        var responses = await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode));
        // 20% of at most 100 active requests: never more than 20 retries at once; without a budget it would be 300.
        Assert.InRange(maxInFlightRetries, 1, 20);
        Assert.True(await AdminStats.GetAsync(proxy, "cluster.backend.upstream_rq_retry_overflow") > 0);
        Assert.True(failing.Requests.Count < 400, $"{failing.Requests.Count} upstream requests");
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }
            current = seen;
        }
    }
}

using System.Diagnostics;
using System.Net;
using MeshProxy.TestSupport;

namespace MeshProxy.EndToEnd.Tests.Resilience;

/// <summary>Route, per-try and max-stream-duration timeouts against a slow backend, with Envoy's replies and flags.</summary>
public sealed class TimeoutTests
{
    [Fact]
    public async Task RouteTimeout_504UpstreamRequestTimeout_AndTheBackendSeesTheCancellation()
    {
        await using var slow = await TestBackend.StartAsync("slow");
        await using var proxy = await ProxyTestHost.StartAsync(ResilienceYaml.Config([slow.Http1Address], "timeout: 300ms"));
        using var http = new HttpClient();
        var clock = Stopwatch.StartNew();

        var response = await http.GetAsync(proxy.ListenerUri("web", "/delay/5000"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("upstream request timeout", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(3));
        Assert.Equal(1, await AdminStats.WaitForAsync(proxy, "cluster.backend.upstream_rq_timeout", 1));
        Assert.Equal(1, await PollAsync(() => slow.CancelledDelays, 1));
    }

    [Fact]
    public async Task PerTryTimeout_EachAttemptCutAndRetried_ThenUpstreamRequestTimeout()
    {
        await using var slow = await TestBackend.StartAsync("slow");
        await using var proxy = await ProxyTestHost.StartAsync(ResilienceYaml.Config([slow.Http1Address], """
            timeout: 10s
            retryPolicy:
              retryOn: [5xx]
              numRetries: 1
              perTryTimeout: 200ms
              baseInterval: 1ms
            """));
        using var http = new HttpClient();
        var clock = Stopwatch.StartNew();

        var response = await http.GetAsync(proxy.ListenerUri("web", "/delay/5000"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("upstream request timeout", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        // Two attempts of 200 ms each, far inside the 10 s route timeout.
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(350), TimeSpan.FromSeconds(5));
        Assert.Equal(2, slow.Requests.Count);
        Assert.Equal(2, await AdminStats.GetAsync(proxy, "cluster.backend.upstream_rq_per_try_timeout"));
        Assert.Equal(2, await PollAsync(() => slow.CancelledDelays, 2));
    }

    [Fact]
    public async Task ClientLeavesBeforeThePerTryTimeout_NoTimeoutIsCountedAndNothingIsRetried()
    {
        await using var slow = await TestBackend.StartAsync("slow");
        await using var proxy = await ProxyTestHost.StartAsync(ResilienceYaml.Config([slow.Http1Address], """
            timeout: 10s
            retryPolicy:
              retryOn: [5xx]
              numRetries: 1
              perTryTimeout: 1s
              baseInterval: 1ms
            """));
        using var http = new HttpClient();
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        leave.CancelAfter(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => http.GetAsync(proxy.ListenerUri("web", "/delay/5000"), leave.Token));

        // The attempt is cancelled with the client; its per-try timer ends with it and must not read as a timeout.
        Assert.Equal(1, await PollAsync(() => slow.CancelledDelays, 1));
        await Task.Delay(TimeSpan.FromSeconds(1.2), TestContext.Current.CancellationToken);
        Assert.Single(slow.Requests);
        Assert.Equal(0, await AdminStats.GetAsync(proxy, "cluster.backend.upstream_rq_per_try_timeout"));
        Assert.Equal(0, await AdminStats.GetAsync(proxy, "cluster.backend.upstream_rq_retry"));
    }

    [Fact]
    public async Task ExpectedTimeoutHeader_IsThePerTryTimeout()
    {
        await using var backend = await TestBackend.StartAsync();
        await using var proxy = await ProxyTestHost.StartAsync(ResilienceYaml.Config([backend.Http1Address], """
            timeout: 15s
            expectedTimeoutHeader: true
            retryPolicy:
              retryOn: [5xx]
              perTryTimeout: 2s
            """));
        using var http = new HttpClient();

        await http.GetAsync(proxy.ListenerUri("web", "/echo"), TestContext.Current.CancellationToken);

        Assert.Equal("2000", backend.Requests.Single().Headers["x-envoy-expected-rq-timeout-ms"]);
    }

    [Fact]
    public async Task MaxStreamDuration_504WithFlagUmsdr()
    {
        await using var slow = await TestBackend.StartAsync("slow");
        using var directory = new TempDirectory();
        var log = Path.Combine(directory.Path, "access.log");
        await using var proxy = await ProxyTestHost.StartAsync(ResilienceYaml.Config([slow.Http1Address], "maxStreamDuration: 300ms") + $$"""

            telemetry:
              accessLog: { enabled: true, path: {{log}}, format: text }
            """);
        using var http = new HttpClient();

        var response = await http.GetAsync(proxy.ListenerUri("web", "/delay/5000"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("upstream max stream duration reached", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Contains(" 504 UMSDR ", await RetryTests.WaitForFileAsync(log), StringComparison.Ordinal);
    }

    internal static async Task<int> PollAsync(Func<int> read, int expected)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        while (read() < expected && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
        return read();
    }
}

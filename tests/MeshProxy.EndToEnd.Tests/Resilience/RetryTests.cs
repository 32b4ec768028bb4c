using System.Net;
using MeshProxy.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MeshProxy.EndToEnd.Tests.Resilience;

/// <summary>
/// Retries against real backends: one that fails (by status, header, reset or refusal) and one that answers, so a
/// retry on another endpoint turns a failure into a success, and a condition that does not apply leaves it as it is.
/// </summary>
public sealed class RetryTests
{
    /// <summary>A backend whose /work answers as <paramref name="work"/> says.</summary>
    private static Task<TestBackend> StartAsync(string name, RequestDelegate work)
        => TestBackend.StartAsync(name, mapEndpoints: app => app.Map("/work", work));

    private static RequestDelegate Status(int code, string? header = null) => context =>
    {
        context.Response.StatusCode = code;
        if (header is not null)
        {
            context.Response.Headers[header] = "yes";
        }
        return context.Response.WriteAsync($"{code} from {context.Request.Host}\n");
    };

    private static string Retry(string retryOn, string extra = "") => $"""
        retryPolicy:
          retryOn: [{retryOn}]
          numRetries: 2
          baseInterval: 1ms
        {extra}
        """;

    public static TheoryData<string, int, string?, string> RetriedResponses => new()
    {
        { "5xx", 503, null, "" },
        { "5xx", 500, null, "" },
        { "gateway-error", 502, null, "" },
        { "gateway-error", 504, null, "" },
        { "retriable-4xx", 409, null, "" },
        { "retriable-status-codes", 418, null, "  retriableStatusCodes: [418]" },
        { "retriable-headers", 200, "x-retry-me", "  retriableHeaders: [ { name: x-retry-me, exact: \"yes\" } ]" },
    };

    [Theory]
    [MemberData(nameof(RetriedResponses))]
    public async Task RetriableResponse_IsRetriedOnTheOtherEndpoint(string retryOn, int failing, string? header, string extra)
    {
        await using var bad = await StartAsync("bad", Status(failing, header));
        await using var good = await StartAsync("good", Status(200));
        await using var proxy = await ProxyTestHost.StartAsync(ResilienceYaml.Config([bad.Http1Address, good.Http1Address], Retry(retryOn, extra),
            virtualHost: "includeAttemptCount: true"));
        using var http = new HttpClient();

        for (var i = 0; i < 4; i++)
        {
            var response = await http.GetAsync(proxy.ListenerUri("web", "/work"), TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{retryOn}/{failing}: {response.StatusCode}\n{string.Join('\n', proxy.Logs.Lines)}");
        }
        // Requests that start on the bad endpoint are retried once, on the good one (previous hosts are avoided).
        var retried = bad.Requests.Count;
        Assert.InRange(retried, 1, 4);
        Assert.Equal(4, good.Requests.Count);
        Assert.True(retried == good.Requests.Count(r => r.Headers.GetValueOrDefault("x-envoy-attempt-count") == "2"), string.Join("\n", good.Requests.Select(r => string.Join(";", r.Headers))));
        Assert.Equal(retried, await AdminStats.GetAsync(proxy, "cluster.backend.upstream_rq_retry"));
        Assert.Equal(retried, await AdminStats.GetAsync(proxy, "cluster.backend.upstream_rq_retry_success"));
    }

    public static TheoryData<string, int> NotRetried => new()
    {
        { "gateway-error", 500 },
        { "retriable-4xx", 404 },
        { "connect-failure", 503 },
        { "reset", 503 },
    };

    [Theory]
    [MemberData(nameof(NotRetried))]
    public async Task ResponseOutsideTheConditions_IsReturnedAsIs(string retryOn, int failing)
    {
        await using var bad = await StartAsync("bad", Status(failing));
        await using var proxy = await ProxyTestHost.StartAsync(ResilienceYaml.Config([bad.Http1Address], Retry(retryOn)));
        using var http = new HttpClient();

        var response = await http.GetAsync(proxy.ListenerUri("web", "/work"), TestContext.Current.CancellationToken);

        Assert.Equal(failing, (int)response.StatusCode);
        Assert.Single(bad.Requests);
    }

    [Theory]
    [InlineData("connect-failure", true)]
    [InlineData("5xx", true)]
    [InlineData("reset-before-request", true)]
    [InlineData("retriable-4xx", false)]
    public async Task RefusedConnection_IsRetriedUnderConnectFailure(string retryOn, bool retried)
    {
        using var refusing = new RefusingPort();
        await using var good = await StartAsync("good", Status(200));
        await using var proxy = await ProxyTestHost.StartAsync(ResilienceYaml.Config([refusing.Address, good.Http1Address], Retry(retryOn)));
        using var http = new HttpClient();

        var codes = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            codes.Add((int)(await http.GetAsync(proxy.ListenerUri("web", "/work"), TestContext.Current.CancellationToken)).StatusCode);
        }

        if (retried)
        {
            Assert.All(codes, code => Assert.Equal(200, code));
        }
        else
        {
            Assert.Contains(503, codes);
        }
    }

    [Fact]
    public async Task ResetBeforeHeaders_IsRetriedUnderReset()
    {
        await using var bad = await StartAsync("bad", context =>
        {
            context.Abort();
            return Task.CompletedTask;
        });
        await using var good = await StartAsync("good", Status(200));
        await using var proxy = await ProxyTestHost.StartAsync(ResilienceYaml.Config([bad.Http1Address, good.Http1Address], Retry("reset")));
        using var http = new HttpClient();

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(proxy.ListenerUri("web", "/work"), TestContext.Current.CancellationToken)).StatusCode);
        }
    }

    [Fact]
    public async Task EveryAttemptFails_LastResponseReturnedWithUrxAndAttemptsCounted()
    {
        await using var bad = await StartAsync("bad", Status(503));
        using var directory = new TempDirectory();
        var log = Path.Combine(directory.Path, "access.log");
        await using var proxy = await ProxyTestHost.StartAsync(ResilienceYaml.Config([bad.Http1Address], Retry("5xx")) + $$"""

            telemetry:
              accessLog: { enabled: true, path: {{log}}, format: text }
            """);
        using var http = new HttpClient();

        var response = await http.GetAsync(proxy.ListenerUri("web", "/work"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(3, bad.Requests.Count);
        Assert.Equal(1, await AdminStats.GetAsync(proxy, "cluster.backend.upstream_rq_retry_limit_exceeded"));
        Assert.Contains(" 503 URX ", await WaitForFileAsync(log), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostUnderTheBufferLimit_IsReplayedIntact()
    {
        await using var bad = await StartAsync("bad", Status(503));
        await using var good = await StartAsync("good", Digest);
        await using var proxy = await ProxyTestHost.StartAsync(ResilienceYaml.Config([bad.Http1Address, good.Http1Address], Retry("5xx") + "bufferLimitBytes: 65536"));
        var body = Body(60_000);
        using var http = new HttpClient();

        for (var i = 0; i < 4; i++)
        {
            var response = await http.PostAsync(proxy.ListenerUri("web", "/work"), new ByteArrayContent(body), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(DigestOf(body), await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }
        Assert.InRange(bad.Requests.Count, 1, 4);
    }

    [Fact]
    public async Task PostOverTheBufferLimit_IsNotRetriedAndCounted()
    {
        await using var bad = await StartAsync("bad", Digest503);
        await using var proxy = await ProxyTestHost.StartAsync(ResilienceYaml.Config([bad.Http1Address], Retry("5xx") + "bufferLimitBytes: 1024"));
        using var http = new HttpClient();

        var response = await http.PostAsync(proxy.ListenerUri("web", "/work"), new ByteArrayContent(Body(64 * 1024)), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Single(bad.Requests);
        Assert.Equal(1, await AdminStats.GetAsync(proxy, "cluster.backend.retry_or_shadow_abandoned"));
        Assert.Equal(0, await AdminStats.GetAsync(proxy, "cluster.backend.upstream_rq_retry"));
    }

    private static byte[] Body(int length)
    {
        var body = new byte[length];
        new Random(length).NextBytes(body);
        return body;
    }

    private static string DigestOf(byte[] body) => $"{body.Length} {Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body))}";

    /// <summary>Answers with the length and SHA-256 of the body it read.</summary>
    private static async Task Digest(HttpContext context)
    {
        var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        await context.Response.WriteAsync(DigestOf(body.ToArray()), context.RequestAborted);
    }

    /// <summary>Reads the whole body, then fails with 503 (so the failure comes after the body was sent).</summary>
    private static async Task Digest503(HttpContext context)
    {
        await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
        context.Response.StatusCode = 503;
    }

    internal static async Task<string> WaitForFileAsync(string path)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (File.Exists(path) && await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken) is { Length: > 0 } text)
            {
                return text;
            }
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
        throw new TimeoutException($"{path} stayed empty");
    }
}
